package lb.core.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests. Parses every line
 * and fails (with the line number) on anything the format does not allow or that Prometheus'
 * own linter rejects: bad names, bad escapes, samples of an undeclared family, a family split
 * up or declared twice, a repeated series, a counter not ending in {@code _total}, a missing
 * HELP; and for a histogram, a sample other than {@code _bucket}, {@code _sum} and
 * {@code _count}, a bucket without a numeric {@code le}, buckets that shrink as {@code le}
 * grows, and a series without its {@code +Inf} bucket, its sum, or a count equal to that bucket.
 */
public final class ExpositionFormat {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern VALUE = Pattern.compile("NaN|[+-]?Inf|[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public static final class Family {
        public final String name;
        public String type;
        public String help;
        public final List<Sample> samples = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Set<String> series = new HashSet<>();
    private Family current;
    private int lineNumber;

    private ExpositionFormat() {
    }

    /** The families of {@code text}, in order; throws AssertionError at the first violation. */
    public static Map<String, Family> parse(String text) {
        ExpositionFormat p = new ExpositionFormat();
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a newline");
        }
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            p.lineNumber++;
            p.line(line);
        }
        for (Family f : p.families.values()) {
            if (f.type == null) {
                throw new AssertionError("family " + f.name + " has no TYPE");
            }
            if (f.help == null) {
                throw new AssertionError("family " + f.name + " has no HELP");
            }
            if (f.type.equals("histogram")) {
                checkHistogram(f);
            }
        }
        return p.families;
    }

    /** Per series (labels without le): buckets cumulative up to +Inf, which the count equals; a sum. */
    private static void checkHistogram(Family f) {
        Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        Set<Map<String, String>> sums = new HashSet<>();
        for (Sample s : f.samples) {
            Map<String, String> series = new TreeMap<>(s.labels());
            if (s.name().equals(f.name + "_bucket")) {
                String le = series.remove("le");
                if (le == null || !VALUE.matcher(le).matches() || le.equals("NaN")) {
                    throw new AssertionError(f.name + ": bucket without a numeric le: " + s);
                }
                double bound = le.endsWith("Inf") ? (le.startsWith("-") ? Double.NEGATIVE_INFINITY
                        : Double.POSITIVE_INFINITY) : Double.parseDouble(le);
                buckets.computeIfAbsent(series, k -> new TreeMap<>()).put(bound, s.value());
            } else if (s.name().equals(f.name + "_count")) {
                counts.put(series, s.value());
            } else if (s.name().equals(f.name + "_sum")) {
                sums.add(series);
            } else {
                throw new AssertionError(f.name + ": a histogram's samples are _bucket, _sum and _count: " + s);
            }
        }
        for (Map.Entry<Map<String, String>, TreeMap<Double, Double>> e : buckets.entrySet()) {
            double previous = 0;
            for (double n : e.getValue().values()) {
                if (!(n >= previous)) {
                    throw new AssertionError(f.name + e.getKey() + ": buckets must not shrink as le grows: " + e.getValue());
                }
                previous = n;
            }
            Double inf = e.getValue().get(Double.POSITIVE_INFINITY);
            if (inf == null) {
                throw new AssertionError(f.name + e.getKey() + ": no le=\"+Inf\" bucket");
            }
            if (!inf.equals(counts.get(e.getKey()))) {
                throw new AssertionError(f.name + e.getKey() + ": _count " + counts.get(e.getKey())
                        + " is not the +Inf bucket " + inf);
            }
            if (!sums.contains(e.getKey())) {
                throw new AssertionError(f.name + e.getKey() + ": no _sum");
            }
        }
        if (!buckets.keySet().containsAll(counts.keySet()) || !buckets.keySet().containsAll(sums)) {
            throw new AssertionError(f.name + ": a _count or _sum without buckets");
        }
    }

    /** The one sample of {@code name} (a histogram's with its suffix) with exactly {@code labels} (name/value pairs). */
    public static double value(Map<String, Family> families, String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        Family f = families.get(name);
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (f == null && name.endsWith(suffix)) {
                f = families.get(name.substring(0, name.length() - suffix.length()));
            }
        }
        if (f == null) {
            throw new AssertionError("no family " + name);
        }
        for (Sample s : f.samples) {
            if (s.name().equals(name) && new TreeMap<>(s.labels()).equals(wanted)) {
                return s.value();
            }
        }
        throw new AssertionError("no sample " + name + wanted);
    }

    private void line(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            meta(line);
        } else if (line.startsWith("#")) {
            return; // a plain comment
        } else {
            sample(line);
        }
    }

    private void meta(String line) {
        boolean help = line.startsWith("# HELP ");
        String rest = line.substring(7);
        int space = rest.indexOf(' ');
        if (space < 0) {
            fail("HELP and TYPE need a name and a text");
        }
        String name = rest.substring(0, space);
        String text = rest.substring(space + 1);
        if (!METRIC_NAME.matcher(name).matches()) {
            fail("bad metric name '" + name + "'");
        }
        Family f = enter(name);
        if (!f.samples.isEmpty()) {
            fail((help ? "HELP" : "TYPE") + " of " + name + " after its samples");
        }
        if (help) {
            if (f.help != null) {
                fail("second HELP for " + name);
            }
            f.help = unescape(text, false);
        } else {
            if (f.type != null) {
                fail("second TYPE for " + name);
            }
            if (!TYPES.contains(text)) {
                fail("unknown type '" + text + "'");
            }
            if (text.equals("counter") && !name.endsWith("_total")) {
                fail("counter " + name + " does not end in _total");
            }
            f.type = text;
        }
    }

    private void sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) {
            fail("bad metric name '" + name + "'");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            fail("a single space must separate the series from its value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2 || !VALUE.matcher(rest[0]).matches()) {
            fail("bad value '" + line.substring(i + 1) + "'");
        }
        if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
            fail("bad timestamp '" + rest[1] + "'");
        }
        Family f = familyOf(name);
        if (f.type == null) {
            fail("sample of " + name + " before its TYPE");
        }
        if (current != f) {
            fail("sample of " + name + " outside its family's block");
        }
        double value = rest[0].equals("NaN") ? Double.NaN
                : rest[0].endsWith("Inf") ? (rest[0].startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                : Double.parseDouble(rest[0]);
        if (f.type.equals("counter") && !(value >= 0)) {
            fail("counter " + name + " is negative or NaN");
        }
        if (!series.add(name + new TreeMap<>(labels))) {
            fail("repeated series " + name + labels);
        }
        f.samples.add(new Sample(name, labels, value));
    }

    /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the brace. */
    private int labels(String line, int i, Map<String, String> out) {
        while (true) {
            int eq = line.indexOf('=', i);
            if (eq < 0) {
                fail("label without '='");
            }
            String label = line.substring(i, eq);
            if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                fail("bad label name '" + label + "'");
            }
            if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                fail("label value must be quoted");
            }
            StringBuilder raw = new StringBuilder();
            int j = eq + 2;
            while (true) {
                if (j >= line.length()) {
                    fail("unterminated label value");
                }
                char c = line.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (j + 1 >= line.length()) {
                        fail("dangling backslash");
                    }
                    raw.append(c).append(line.charAt(j + 1));
                    j += 2;
                } else {
                    raw.append(c);
                    j++;
                }
            }
            if (out.put(label, unescape(raw.toString(), true)) != null) {
                fail("label " + label + " twice");
            }
            j++;
            if (j >= line.length()) {
                fail("unterminated label set");
            }
            if (line.charAt(j) == '}') {
                return j + 1;
            }
            if (line.charAt(j) != ',') {
                fail("labels must be separated by ','");
            }
            i = j + 1;
        }
    }

    /** HELP allows \\ and \n; label values also \". Anything else after a backslash is an error. */
    private String unescape(String s, boolean labelValue) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= s.length()) {
                fail("dangling backslash");
            }
            char e = s.charAt(i);
            switch (e) {
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case '"' -> {
                    if (!labelValue) {
                        fail("\\\" is not an escape in HELP text");
                    }
                    sb.append('"');
                }
                default -> fail("bad escape \\" + e);
            }
        }
        return sb.toString();
    }

    /** The family a sample name belongs to: itself, or a histogram's or summary's base name. */
    private Family familyOf(String sampleName) {
        Family own = families.get(sampleName);
        if (own != null && own.type != null) {
            if (own.type.equals("histogram")) {
                fail("a histogram's samples carry a suffix: " + sampleName);
            }
            return own;
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sampleName.endsWith(suffix)) {
                Family base = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (base != null && ("histogram".equals(base.type) || "summary".equals(base.type))) {
                    return base;
                }
            }
        }
        fail("sample " + sampleName + " belongs to no declared family");
        return null;
    }

    /** Makes {@code name} the current family; a family left earlier may not come back. */
    private Family enter(String name) {
        Family f = families.get(name);
        if (f == null) {
            f = new Family(name);
            families.put(name, f);
        } else if (current != f) {
            fail("family " + name + " appears in two blocks");
        }
        current = f;
        return f;
    }

    private void fail(String why) {
        throw new AssertionError("line " + lineNumber + ": " + why);
    }
}
