package lb.examples.loadgen;

import java.util.Locale;
import java.util.Map;

/** Renders a {@link LoadResult} as a human summary or as JSON. Stateless. */
public final class LoadReport {
    private LoadReport() {
    }

    /** A few aligned lines; figures a scenario does not produce are left out. */
    public static String text(LoadResult r) {
        StringBuilder s = new StringBuilder();
        line(s, "scenario", "%s against %s (MQTT %s), %d clients, %.2f s%s", r.scenario().cliName(), r.target(),
                r.mqttLevel() == 5 ? "5.0" : "3.1.1", r.plannedClients(), r.elapsedNs() / 1e9,
                r.timedOut() ? ", STOPPED AT THE TIME LIMIT" : "");
        line(s, "connects", "%d started, %d connected, %d refused, %d failed%s; %.0f/s at first connect",
                r.connectsStarted(), r.connected(), r.refused(), r.failed(), reasons(r.failureReasons()), r.connectsPerSecond());
        line(s, "connections", "peak %d live, %d dropped by the other side, %d pings", r.peakLive(), r.dropped(), r.pings());
        if (r.tlsHandshakes() > 0) {
            line(s, "tls", "%s; %d handshakes, %d of them resumed", r.tlsNegotiated(), r.tlsHandshakes(), r.tlsResumed());
        }
        if (r.scenario() == Scenario.CHURN || r.scenario() == Scenario.STORM) {
            line(s, "reconnects", "%d%s", r.reconnects(),
                    r.scenario() == Scenario.STORM ? String.format(Locale.ROOT, ", all back in %.1f ms", r.stormRecoveryNs() / 1e6) : "");
        }
        if (r.scenario() == Scenario.PUBSUB) {
            line(s, "messages", "%d published (%.0f/s), %d acked, %d of %d delivered (%.0f/s), %d duplicates, %d lost",
                    r.published(), r.publishesPerSecond(), r.acked(), r.delivered(), r.expectedDeliveries(),
                    r.deliveriesPerSecond(), r.duplicates(), r.lost());
        }
        s.append(String.format(Locale.ROOT, "%-12s %9s %9s %9s %9s %9s %9s%n", "latency ms", "count", "p50", "p90", "p99", "p99.9", "max"));
        latency(s, "connect", r.connectSummary());
        latency(s, "reconnect", r.reconnectSummary());
        latency(s, "deliver", r.deliverySummary());
        latency(s, "handshake", r.handshakeSummary());
        line(s, "cpu", "%.2f s in load generator threads (%.0f%% of one core)", r.cpuNs() / 1e9,
                r.elapsedNs() > 0 ? 100.0 * r.cpuNs() / r.elapsedNs() : 0.0);
        return s.toString();
    }

    /** One JSON object; times in milliseconds. */
    public static String json(LoadResult r) {
        StringBuilder s = new StringBuilder(1024);
        s.append("{\n");
        field(s, "scenario", quote(r.scenario().cliName()));
        field(s, "target", quote(r.target()));
        field(s, "mqttLevel", r.mqttLevel());
        field(s, "clients", r.plannedClients());
        field(s, "elapsedMs", ms(r.elapsedNs()));
        field(s, "timedOut", r.timedOut());
        field(s, "clean", r.isClean());
        s.append("  \"connects\": {");
        inline(s, "started", r.connectsStarted());
        inline(s, "connected", r.connected());
        inline(s, "refused", r.refused());
        inline(s, "failed", r.failed());
        inline(s, "perSecond", number(r.connectsPerSecond()));
        s.append("\"failureReasons\": {");
        String separator = "";
        for (Map.Entry<String, Long> e : r.failureReasons().entrySet()) {
            s.append(separator).append(quote(e.getKey())).append(": ").append(e.getValue());
            separator = ", ";
        }
        s.append("}},\n");
        field(s, "peakLive", r.peakLive());
        field(s, "dropped", r.dropped());
        field(s, "pings", r.pings());
        s.append("  \"tls\": {");
        inline(s, "handshakes", r.tlsHandshakes());
        inline(s, "resumed", r.tlsResumed());
        s.append("\"negotiated\": ").append(r.tlsNegotiated() == null ? "null" : quote(r.tlsNegotiated())).append("},\n");
        field(s, "reconnects", r.reconnects());
        field(s, "stormRecoveryMs", ms(r.stormRecoveryNs()));
        s.append("  \"messages\": {");
        inline(s, "published", r.published());
        inline(s, "acked", r.acked());
        inline(s, "delivered", r.delivered());
        inline(s, "expected", r.expectedDeliveries());
        inline(s, "duplicates", r.duplicates());
        inline(s, "lost", r.lost());
        inline(s, "publishedPerSecond", number(r.publishesPerSecond()));
        s.append("\"deliveredPerSecond\": ").append(number(r.deliveriesPerSecond())).append("},\n");
        s.append("  \"latencyMs\": {\n");
        latencyJson(s, "connect", r.connectSummary(), ",");
        latencyJson(s, "reconnect", r.reconnectSummary(), ",");
        latencyJson(s, "deliver", r.deliverySummary(), ",");
        latencyJson(s, "handshake", r.handshakeSummary(), "");
        s.append("  },\n");
        s.append("  \"cpuMs\": ").append(ms(r.cpuNs())).append("\n}\n");
        return s.toString();
    }

    private static void line(StringBuilder s, String label, String format, Object... args) {
        s.append(String.format(Locale.ROOT, "%-12s ", label)).append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static void latency(StringBuilder s, String label, LatencySummary l) {
        if (l.count() == 0) {
            return;
        }
        s.append(String.format(Locale.ROOT, "  %-10s %9d %9.3f %9.3f %9.3f %9.3f %9.3f%n", label, l.count(),
                l.p50Ns() / 1e6, l.p90Ns() / 1e6, l.p99Ns() / 1e6, l.p999Ns() / 1e6, l.maxNs() / 1e6));
    }

    private static String reasons(Map<String, Long> reasons) {
        return reasons.isEmpty() ? "" : " " + reasons;
    }

    private static void latencyJson(StringBuilder s, String name, LatencySummary l, String after) {
        s.append("    ").append(quote(name)).append(": {");
        inline(s, "count", l.count());
        inline(s, "mean", ms(l.meanNs()));
        inline(s, "p50", ms(l.p50Ns()));
        inline(s, "p90", ms(l.p90Ns()));
        inline(s, "p99", ms(l.p99Ns()));
        inline(s, "p999", ms(l.p999Ns()));
        s.append("\"max\": ").append(ms(l.maxNs())).append('}').append(after).append('\n');
    }

    private static void field(StringBuilder s, String name, Object value) {
        s.append("  ").append(quote(name)).append(": ").append(value).append(",\n");
    }

    private static void inline(StringBuilder s, String name, Object value) {
        s.append(quote(name)).append(": ").append(value).append(", ");
    }

    private static String ms(double nanos) {
        return number(nanos / 1e6);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String quote(String text) {
        StringBuilder s = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }
}
