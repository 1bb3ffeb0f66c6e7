package lb.examples.loadgen;

import org.HdrHistogram.Histogram;

/** The percentiles a summary shows, in nanoseconds, taken from one histogram. */
public record LatencySummary(long count, double meanNs, long p50Ns, long p90Ns, long p99Ns, long p999Ns, long maxNs) {
    public static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
