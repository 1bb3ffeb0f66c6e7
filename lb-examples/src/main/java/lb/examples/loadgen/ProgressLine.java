package lb.examples.loadgen;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The live status line: rewritten in place (carriage return) twice a second while a run goes
 * on, ended with a newline. Driver thread only; does nothing without an output stream.
 */
final class ProgressLine {
    private static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final PrintStream out;
    private final LoadStats stats;
    private final String label;
    private long startNs;
    private long nextNs;
    private int lastLength;

    ProgressLine(PrintStream out, LoadStats stats, String label) {
        this.out = out;
        this.stats = stats;
        this.label = label;
    }

    void start(long nowNs) {
        startNs = nowNs;
        nextNs = nowNs + INTERVAL_NS;
    }

    void maybePrint(long nowNs) {
        if (out == null || nowNs - nextNs < 0) {
            return;
        }
        nextNs = nowNs + INTERVAL_NS;
        print(nowNs);
    }

    void finish(long nowNs) {
        if (out != null) {
            print(nowNs);
            out.println();
            out.flush();
        }
    }

    private void print(long nowNs) {
        stats.drainLatencies();
        String line = String.format(Locale.ROOT,
                "%s %.1fs | live %d | connected %d refused %d failed %d | pub %d ack %d recv %d | p99 connect %.2f ms deliver %.2f ms",
                label, (nowNs - startNs) / 1e9, stats.live.get(), stats.connected.sum(), stats.refused.sum(),
                stats.failed.sum(), stats.published.sum(), stats.acked.sum(), stats.received.sum(),
                stats.connectLatency().getValueAtPercentile(99) / 1e6,
                stats.deliveryLatency().getValueAtPercentile(99) / 1e6);
        String padding = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
        lastLength = line.length();
        out.print("\r" + line + padding);
        out.flush();
    }
}
