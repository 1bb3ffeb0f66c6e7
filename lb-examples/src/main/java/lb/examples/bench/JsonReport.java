package lb.examples.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The run as one JSON document: when, where, with which settings, the medians, ratios and goals,
 * and every round's figures and problems. Times in milliseconds, memory in bytes. Stateless.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String render(String date, Map<String, String> environment, String settings, Summary s) {
        StringBuilder j = new StringBuilder(8192);
        j.append("{\n");
        j.append("  \"date\": ").append(quote(date)).append(",\n");
        j.append("  \"environment\": ").append(object(environment)).append(",\n");
        j.append("  \"settings\": ").append(quote(settings)).append(",\n");
        j.append("  \"medians\": {\n");
        List<String> targets = s.targets();
        for (int i = 0; i < targets.size(); i++) {
            String t = targets.get(i);
            j.append("    ").append(quote(t)).append(": {");
            appendFigures(j, s, m -> s.median(t, m));
            j.append('}').append(i < targets.size() - 1 ? "," : "").append('\n');
        }
        j.append("  },\n");
        j.append("  \"ratios\": {\n");
        String separator = "";
        for (String[] pair : s.ratioPairs()) {
            j.append(separator).append("    ").append(quote(pair[0] + "/" + pair[1])).append(": {");
            appendFigures(j, s, m -> s.ratio(pair[0], pair[1], m));
            j.append('}');
            separator = ",\n";
        }
        j.append("\n  },\n");
        String underTest = s.underTest();
        j.append("  \"goals\": {");
        separator = "";
        for (Metric m : s.metrics()) {
            if (m.goal() != null && underTest != null) {
                double value = s.median(underTest, m);
                double toHaproxy = s.ratio(underTest, "haproxy", m);
                boolean known = !Double.isNaN(m.goal().ratio() ? toHaproxy : value);
                j.append(separator).append(quote(m.key())).append(": {\"goal\": ").append(quote(m.goal().text(m.unit())))
                        .append(", \"met\": ").append(known ? Boolean.toString(m.goal().isMet(value, toHaproxy)) : "null").append('}');
                separator = ", ";
            }
        }
        j.append("},\n");
        j.append("  \"rounds\": [\n");
        List<RoundFigures> rounds = s.rounds();
        for (int i = 0; i < rounds.size(); i++) {
            RoundFigures r = rounds.get(i);
            j.append("    {\"round\": ").append(r.round()).append(", \"target\": ").append(quote(r.target()))
                    .append(", \"figures\": {");
            separator = "";
            for (Map.Entry<String, Double> e : r.values().entrySet()) {
                j.append(separator).append(quote(e.getKey())).append(": ").append(number(e.getValue()));
                separator = ", ";
            }
            j.append("}, \"problems\": [");
            separator = "";
            for (String p : r.problems()) {
                j.append(separator).append(quote(p));
                separator = ", ";
            }
            j.append("]}").append(i < rounds.size() - 1 ? "," : "").append('\n');
        }
        j.append("  ]\n}\n");
        return j.toString();
    }

    private static void appendFigures(StringBuilder j, Summary s, ToDoubleFunction<Metric> figure) {
        String separator = "";
        for (Metric m : s.metrics()) {
            double v = figure.applyAsDouble(m);
            if (!Double.isNaN(v)) {
                j.append(separator).append(quote(m.key())).append(": ").append(number(v));
                separator = ", ";
            }
        }
    }

    private static String object(Map<String, String> map) {
        StringBuilder o = new StringBuilder("{");
        String separator = "";
        for (Map.Entry<String, String> e : map.entrySet()) {
            o.append(separator).append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            separator = ", ";
        }
        return o.append('}').toString();
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String quote(String text) {
        StringBuilder q = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
