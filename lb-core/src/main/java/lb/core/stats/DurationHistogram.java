package lb.core.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * How long something took, every time it happened since the start (a connect to a server, a
 * wait in a backend's queue): counts in fixed buckets, their sum and the longest. Every
 * histogram has the same buckets, chosen for what an MQTT operator tells apart: from 100 us (a
 * connect to a broker on the same host) to 10 s (a broker dropping SYNs, a long queue) in steps
 * of 1, 2.5 and 5; longer times land in a last, open bucket.
 *
 * <p>Percentiles are estimated from the buckets, as Prometheus' {@code histogram_quantile}
 * does: linearly within the bucket that holds the rank. The estimate lies in the same bucket as
 * the true value, and never above the longest time seen.
 *
 * @param counts   times per bucket (not cumulative), {@link #BUCKETS} of them, the last open
 * @param sumNanos all times added up
 * @param maxNanos the longest; 0 when empty
 */
public record DurationHistogram(List<Long> counts, long sumNanos, long maxNanos) {
    /** Upper bounds, inclusive (a time equal to a bound is in that bound's bucket). */
    private static final long[] BOUNDS_NANOS = {
        100_000L, 250_000L, 500_000L,
        1_000_000L, 2_500_000L, 5_000_000L,
        10_000_000L, 25_000_000L, 50_000_000L,
        100_000_000L, 250_000_000L, 500_000_000L,
        1_000_000_000L, 2_500_000_000L, 5_000_000_000L,
        10_000_000_000L,
    };

    /** How many buckets: one per bound, and the open one above the last. */
    public static final int BUCKETS = BOUNDS_NANOS.length + 1;

    /** Nothing recorded. */
    public static final DurationHistogram EMPTY = new DurationHistogram(new long[BUCKETS], 0, 0);

    public DurationHistogram {
        counts = List.copyOf(counts);
        if (counts.size() != BUCKETS) {
            throw new IllegalArgumentException("a histogram has " + BUCKETS + " buckets, not " + counts.size());
        }
    }

    /** A histogram of these per-bucket counts (copied). */
    public DurationHistogram(long[] counts, long sumNanos, long maxNanos) {
        this(boxed(counts), sumNanos, maxNanos);
    }

    /** The inclusive upper bound of {@code bucket}; {@link Long#MAX_VALUE} for the open last one. */
    public static long upperBoundNanos(int bucket) {
        return bucket < BOUNDS_NANOS.length ? BOUNDS_NANOS[bucket] : Long.MAX_VALUE;
    }

    /** The bucket {@code nanos} belongs in: the first whose upper bound is at least it. */
    public static int bucketOf(long nanos) {
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        return i;
    }

    /** How many times were recorded. */
    public long count() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** Times in {@code bucket} and every bucket below it (Prometheus' {@code le} buckets). */
    public long cumulativeCount(int bucket) {
        long n = 0;
        for (int i = 0; i <= bucket; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The mean time; 0 when empty. */
    public long meanNanos() {
        long n = count();
        return n == 0 ? 0 : sumNanos / n;
    }

    /**
     * The estimated {@code q}-quantile (0.99 for p99): linear within the bucket holding rank
     * {@code q * count}, that bucket's upper bound capped by the longest time seen. 0 when empty.
     */
    public long percentileNanos(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("a quantile is between 0 and 1, not " + q);
        }
        long total = count();
        if (total == 0) {
            return 0;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long c = counts.get(i);
            if (c > 0 && below + c >= rank) {
                long lower = i == 0 ? 0 : BOUNDS_NANOS[i - 1];
                // A snapshot reads the counts and the longest time racily: the bound never goes below the bucket.
                long upper = Math.max(lower, Math.min(upperBoundNanos(i), maxNanos));
                return lower + Math.round((upper - lower) * ((rank - below) / c));
            }
            below += c;
        }
        return maxNanos;
    }

    private static List<Long> boxed(long[] counts) {
        List<Long> list = new ArrayList<>(counts.length);
        for (long c : counts) {
            list.add(c);
        }
        return list;
    }
}
