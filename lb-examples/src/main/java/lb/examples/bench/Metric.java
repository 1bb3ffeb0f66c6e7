package lb.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One figure of the benchmark table: its JSON key, its label, its unit, which way is better,
 * and the project's goal for it if there is one. Immutable.
 */
record Metric(String key, String label, String unit, boolean higherIsBetter, Goal goal) {

    static final String CONNECTS_COLD = "connects_per_s_cold";
    static final String CONNECTS_WARM = "connects_per_s_warm";
    static final String CONNECT_P50 = "connect_p50_ms";
    static final String CONNECT_P99 = "connect_p99_ms";
    static final String CONNECT_P99_COLD = "connect_p99_ms_cold";
    static final String CPU_PER_1000_CONNECTS = "cpu_ms_per_1000_connects";
    static final String MESSAGES_FIXED = "messages_per_s_fixed_rate";
    static final String DELIVERY_P50 = "delivery_p50_ms";
    static final String DELIVERY_P99 = "delivery_p99_ms";
    static final String CPU_PER_100K_MESSAGES = "cpu_ms_per_100k_messages";
    static final String MESSAGES_FLAT_OUT = "messages_per_s_flat_out";
    static final String RSS_PER_IDLE_PREFIX = "rss_bytes_per_idle_at_";
    static final String RSS_PER_IDLE_MARGINAL = "rss_bytes_per_extra_idle";
    static final String HEAP_PER_IDLE = "heap_bytes_per_idle";
    static final String RSS_STARTED = "rss_mb_started";
    static final String RSS_AT_MAX_IDLE = "rss_mb_at_max_idle";
    static final String LOADGEN_CPU_CONNECT = "loadgen_cpu_pct_connect";
    static final String BROKERS_CPU_CONNECT = "brokers_cpu_pct_connect";
    static final String PROXY_CPU_CONNECT = "proxy_cpu_pct_connect";
    static final String LOADGEN_CPU_FLAT_OUT = "loadgen_cpu_pct_flat_out";
    static final String BROKERS_CPU_FLAT_OUT = "brokers_cpu_pct_flat_out";
    static final String PROXY_CPU_FLAT_OUT = "proxy_cpu_pct_flat_out";

    /**
     * A target for a figure: against HAProxy's figure ({@code ratio} true: "at least 1.5x") or
     * an absolute bound ("at most 1,600 B").
     */
    record Goal(boolean ratio, boolean atLeast, double threshold) {
        /** As {@code >= 1.5x HAProxy} or {@code <= 1,600 B}. */
        String text(String unit) {
            String bound = atLeast ? ">= " : "<= ";
            return ratio ? bound + trim(threshold) + "x HAProxy" : bound + String.format(Locale.ROOT, "%,.0f %s", threshold, unit);
        }

        boolean isMet(double value, double ratioToHaproxy) {
            double v = ratio ? ratioToHaproxy : value;
            if (Double.isNaN(v)) {
                return false;
            }
            return atLeast ? v >= threshold : v <= threshold;
        }

        private static String trim(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }

    static Metric of(String key, String label, String unit, boolean higherIsBetter) {
        return new Metric(key, label, unit, higherIsBetter, null);
    }

    /** The table's rows for these options, in order. */
    static List<Metric> all(BenchmarkOptions o) {
        List<Metric> m = new ArrayList<>();
        m.add(new Metric(CONNECTS_COLD, "connects/s, proxy just started", "/s", true, new Goal(true, true, 1.5)));
        m.add(new Metric(CONNECTS_WARM, "connects/s, warm", "/s", true, new Goal(true, true, 1.5)));
        m.add(of(CONNECT_P50, "CONNACK latency p50, warm", "ms", false));
        m.add(of(CONNECT_P99, "CONNACK latency p99, warm", "ms", false));
        m.add(of(CONNECT_P99_COLD, "CONNACK latency p99, just started", "ms", false));
        m.add(of(CPU_PER_1000_CONNECTS, "proxy CPU per 1,000 connections (open+close), warm", "ms", false));
        m.add(of(MESSAGES_FIXED, String.format(Locale.ROOT, "messages/s delivered at %,.0f msg/s", o.rate * o.subscribers), "/s", true));
        m.add(of(DELIVERY_P50, "delivery latency p50 at that rate", "ms", false));
        m.add(new Metric(DELIVERY_P99, "delivery latency p99 at that rate", "ms", false, new Goal(true, false, 0.7)));
        m.add(new Metric(CPU_PER_100K_MESSAGES, "proxy CPU per 100k messages delivered at that rate", "ms", false,
                new Goal(true, false, 1.0)));
        if (!o.flatOutDuration.isZero()) {
            m.add(new Metric(MESSAGES_FLAT_OUT, "messages/s delivered flat out (QoS 1)", "/s", true, new Goal(true, true, 1.1)));
        }
        for (int i = 0; i < o.idleSteps.length; i++) {
            int n = o.idleSteps[i];
            Goal goal = i == o.idleSteps.length - 1 ? new Goal(false, false, 1600) : null;
            m.add(new Metric(RSS_PER_IDLE_PREFIX + n, String.format(Locale.ROOT, "proxy RSS growth / idle connection at %,d", n),
                    "B", false, goal));
        }
        if (o.idleSteps.length > 1) {
            m.add(of(RSS_PER_IDLE_MARGINAL, String.format(Locale.ROOT, "proxy RSS per extra idle connection, %,d to %,d",
                    o.idleSteps[0], o.maxIdle()), "B", false));
        }
        m.add(of(RSS_STARTED, "proxy RSS started, before the first connection", "MB", false));
        m.add(of(RSS_AT_MAX_IDLE, String.format(Locale.ROOT, "proxy RSS with %,d idle connections", o.maxIdle()), "MB", false));
        m.add(of(HEAP_PER_IDLE, String.format(Locale.ROOT, "JVM live heap / idle connection at %,d", o.maxIdle()), "B", false));
        m.add(of(LOADGEN_CPU_CONNECT, "load generators' CPU, warm connect phase", "% core", false));
        m.add(of(BROKERS_CPU_CONNECT, "brokers' CPU, warm connect phase", "% core", false));
        m.add(of(PROXY_CPU_CONNECT, "proxy CPU, warm connect phase", "% core", false));
        if (!o.flatOutDuration.isZero()) {
            m.add(of(LOADGEN_CPU_FLAT_OUT, "load generator's CPU, flat-out pub/sub", "% core", false));
            m.add(of(BROKERS_CPU_FLAT_OUT, "brokers' CPU, flat-out pub/sub", "% core", false));
            m.add(of(PROXY_CPU_FLAT_OUT, "proxy CPU, flat-out pub/sub", "% core", false));
        }
        return m;
    }
}
