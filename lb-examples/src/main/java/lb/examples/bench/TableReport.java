package lb.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark table, as aligned text for the terminal and as Markdown: medians per target,
 * then the balancer's and HAProxy's ratios to the baseline and the balancer's to HAProxy, then
 * the goal and whether the balancer meets it (for figures that have one). Stateless.
 */
final class TableReport {
    private static final String MISSING = "-";

    private TableReport() {
    }

    static String text(Summary s) {
        List<String[]> rows = rows(s);
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                // Figures left-aligned, numbers right-aligned.
                out.append(i == 0 ? String.format("%-" + widths[i] + "s", cell) : String.format("%" + widths[i] + "s", cell));
                out.append(i < row.length - 1 ? "  " : "\n");
            }
            if (r == 0) {
                out.append("-".repeat(sum(widths) + 2 * (widths.length - 1))).append('\n');
            }
        }
        return out.toString();
    }

    static String markdown(Summary s) {
        List<String[]> rows = rows(s);
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            out.append("| ").append(String.join(" | ", rows.get(r))).append(" |\n");
            if (r == 0) {
                out.append("|---").append("|---:".repeat(rows.get(r).length - 1)).append("|\n");
            }
        }
        return out.toString();
    }

    private static List<String[]> rows(Summary s) {
        List<String> targets = s.targets();
        List<String[]> ratioPairs = s.ratioPairs();
        // A goal column only when some figure has a goal for the target under test.
        String underTest = s.metrics().stream().anyMatch(m -> m.goal() != null) ? s.underTest() : null;
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("figure (median of rounds)");
        for (String t : targets) {
            header.add(displayName(t));
        }
        for (String[] pair : ratioPairs) {
            header.add(displayName(pair[0]) + " / " + displayName(pair[1]));
        }
        if (underTest != null) {
            header.add("goal (" + underTest + ")");
        }
        rows.add(header.toArray(String[]::new));
        for (Metric m : s.metrics()) {
            List<String> row = new ArrayList<>();
            row.add(m.label() + " (" + m.unit() + ")");
            for (String t : targets) {
                row.add(format(s.median(t, m), m.unit()));
            }
            for (String[] pair : ratioPairs) {
                double ratio = s.ratio(pair[0], pair[1], m);
                row.add(Double.isNaN(ratio) ? MISSING : String.format(Locale.ROOT, "%.2fx", ratio));
            }
            if (underTest != null) {
                row.add(goal(s, underTest, m));
            }
            rows.add(row.toArray(String[]::new));
        }
        return rows;
    }

    private static String goal(Summary s, String underTest, Metric m) {
        if (m.goal() == null) {
            return "";
        }
        double value = s.median(underTest, m);
        double toHaproxy = s.ratio(underTest, "haproxy", m);
        if (Double.isNaN(m.goal().ratio() ? toHaproxy : value)) {
            return m.goal().text(m.unit());
        }
        return m.goal().text(m.unit()) + (m.goal().isMet(value, toHaproxy) ? ": met" : ": not met");
    }

    static String displayName(String target) {
        return switch (target) {
            case "haproxy" -> "HAProxy";
            default -> target;
        };
    }

    static String format(double value, String unit) {
        if (Double.isNaN(value)) {
            return MISSING;
        }
        return switch (unit) {
            case "ms" -> String.format(Locale.ROOT, value < 10 ? "%.3f" : "%.1f", value);
            case "% core" -> String.format(Locale.ROOT, "%.0f%%", value);
            default -> String.format(Locale.ROOT, "%,.0f", value);
        };
    }

    private static int sum(int[] values) {
        int s = 0;
        for (int v : values) {
            s += v;
        }
        return s;
    }
}
