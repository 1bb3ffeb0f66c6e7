package lb.core.stats.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the Prometheus text exposition format, version 0.0.4: each family once, with its
 * HELP and TYPE lines and all its samples together, whatever order samples are added in.
 * Names are checked (a bad one is a bug here, so it throws); HELP text and label values are
 * escaped as the format requires. Not thread-safe: one per rendering.
 *
 * <pre>
 * # HELP name text                 text escapes \ and newline
 * # TYPE name counter|gauge|histogram
 * name{label="value",...} number   value escapes \, " and newline
 * name_bucket{...,le="0.5"} count  a histogram: cumulative buckets up to le="+Inf",
 * name_sum{...} number             then the sum of what was observed
 * name_count{...} count            and how many (the +Inf bucket)
 * </pre>
 */
final class ExpositionWriter {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** One metric family: its samples, kept until {@link #render()}. */
    final class Family {
        private final String name;
        private final String type;
        private final String help;
        private final StringBuilder samples = new StringBuilder();

        private Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        /** Adds a sample; {@code labels} alternate names and values. */
        Family sample(long value, String... labels) {
            return line("", Long.toString(value), null, labels);
        }

        Family sample(double value, String... labels) {
            return line("", number(value), null, labels);
        }

        /**
         * Adds one histogram's series: a bucket per upper bound in {@code le} (the last must be
         * {@code +Inf}) with its cumulative count, then the sum and the count (the last bucket's).
         */
        Family histogram(String[] le, long[] cumulativeCounts, double sum, String... labels) {
            if (!type.equals("histogram") || le.length != cumulativeCounts.length || !le[le.length - 1].equals("+Inf")) {
                throw new IllegalArgumentException(name + ": not a histogram's buckets");
            }
            for (int i = 0; i < le.length; i++) {
                line("_bucket", Long.toString(cumulativeCounts[i]), le[i], labels);
            }
            line("_sum", number(sum), null, labels);
            return line("_count", Long.toString(cumulativeCounts[le.length - 1]), null, labels);
        }

        private Family line(String suffix, String value, String le, String... labels) {
            if (labels.length % 2 != 0) {
                throw new IllegalArgumentException(name + ": labels must come in name/value pairs");
            }
            if (type.equals("histogram") == suffix.isEmpty()) {
                throw new IllegalArgumentException(name + ": a histogram has only _bucket, _sum and _count samples");
            }
            samples.append(name).append(suffix);
            if (labels.length > 0 || le != null) {
                samples.append('{');
                for (int i = 0; i < labels.length; i += 2) {
                    String label = labels[i];
                    if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__") || label.equals("le")) {
                        throw new IllegalArgumentException(name + ": bad label name '" + label + "'");
                    }
                    if (i > 0) {
                        samples.append(',');
                    }
                    samples.append(label).append("=\"");
                    escapeLabelValue(labels[i + 1]);
                    samples.append('"');
                }
                if (le != null) {
                    samples.append(labels.length > 0 ? "," : "").append("le=\"").append(le).append('"');
                }
                samples.append('}');
            }
            samples.append(' ').append(value).append('\n');
            return this;
        }

        private void escapeLabelValue(String v) {
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                switch (c) {
                    case '\\' -> samples.append("\\\\");
                    case '"' -> samples.append("\\\"");
                    case '\n' -> samples.append("\\n");
                    default -> samples.append(c);
                }
            }
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** A counter family; its name must end in {@code _total}. Declaring it again returns it. */
    Family counter(String name, String help) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter " + name + " must end in _total");
        }
        return family(name, "counter", help);
    }

    Family gauge(String name, String help) {
        return family(name, "gauge", help);
    }

    /** A histogram family; its samples are named with {@code _bucket}, {@code _sum} and {@code _count}. */
    Family histogram(String name, String help) {
        if (name.endsWith("_bucket") || name.endsWith("_sum") || name.endsWith("_count") || name.endsWith("_total")) {
            throw new IllegalArgumentException("histogram " + name + " must not end like one of its samples");
        }
        return family(name, "histogram", help);
    }

    private Family family(String name, String type, String help) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name '" + name + "'");
        }
        Family f = families.computeIfAbsent(name, n -> new Family(n, type, help));
        if (!f.type.equals(type)) {
            throw new IllegalArgumentException(name + " declared as both " + f.type + " and " + type);
        }
        return f;
    }

    /** The whole exposition; families without samples are left out. */
    String render() {
        StringBuilder out = new StringBuilder();
        for (Family f : families.values()) {
            if (f.samples.length() == 0) {
                continue;
            }
            out.append("# HELP ").append(f.name).append(' ');
            for (int i = 0; i < f.help.length(); i++) {
                char c = f.help.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    default -> out.append(c);
                }
            }
            out.append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            out.append(f.samples);
        }
        return out.toString();
    }

    /** Integral values print without a fraction; the rest as Java writes doubles, which Prometheus reads. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
