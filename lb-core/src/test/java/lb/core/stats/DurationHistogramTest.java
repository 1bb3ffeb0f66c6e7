package lb.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Which bucket a time lands in, and how percentiles are estimated from the buckets. */
class DurationHistogramTest {
    private static final long US = 1_000;
    private static final long MS = 1_000_000;
    private static final long S = 1_000_000_000;

    @Test
    void aTimeEqualToABoundIsInThatBoundsBucketAndOneNanosecondMoreIsInTheNext() {
        assertEquals(0, DurationHistogram.bucketOf(0));
        assertEquals(0, DurationHistogram.bucketOf(100 * US));
        assertEquals(1, DurationHistogram.bucketOf(100 * US + 1));
        assertEquals(3, DurationHistogram.bucketOf(MS));
        assertEquals(12, DurationHistogram.bucketOf(S));
        assertEquals(15, DurationHistogram.bucketOf(10 * S));
        assertEquals(16, DurationHistogram.bucketOf(10 * S + 1));
        assertEquals(16, DurationHistogram.bucketOf(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, DurationHistogram.upperBoundNanos(DurationHistogram.BUCKETS - 1));
    }

    @Property
    void everyTimeLandsInTheFirstBucketWhoseBoundHoldsIt(@ForAll @LongRange(min = 0, max = 100 * S) long nanos) {
        int b = DurationHistogram.bucketOf(nanos);
        assertTrue(nanos <= DurationHistogram.upperBoundNanos(b));
        assertTrue(b == 0 || nanos > DurationHistogram.upperBoundNanos(b - 1));
    }

    @Test
    void percentilesInterpolateWithinTheirBucketAndStopAtTheLongestTime() {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            times.add(200 * US);       // bucket (100 us, 250 us]
        }
        for (int i = 0; i < 10; i++) {
            times.add(3 * MS);         // bucket (2.5 ms, 5 ms], the longest 3 ms
        }
        DurationHistogram h = of(times);
        assertEquals(100, h.count());
        assertEquals(90 * 200 * US + 10 * 3 * MS, h.sumNanos());
        assertEquals(3 * MS, h.maxNanos());
        // rank 50 of 90 in (100 us, 250 us]: 100 us + 150 us * 50/90
        assertEquals(100 * US + Math.round(150 * US * 50 / 90.0), h.percentileNanos(0.5));
        // rank 99, the 9th of 10 in (2.5 ms, 5 ms] capped at the longest, 3 ms: 2.5 ms + 0.5 ms * 9/10
        assertEquals(2_950 * US, h.percentileNanos(0.99));
        assertEquals(3 * MS, h.percentileNanos(1));
    }

    @Test
    void timesBeyondTheLastBoundAreEstimatedUpToTheLongest() {
        DurationHistogram h = of(List.of(30 * S));
        assertEquals(1, h.counts().get(DurationHistogram.BUCKETS - 1));
        assertEquals(10 * S + Math.round(20 * S * 0.99), h.percentileNanos(0.99));
    }

    @Test
    void anEmptyHistogramHasNoTimes() {
        assertEquals(0, DurationHistogram.EMPTY.count());
        assertEquals(0, DurationHistogram.EMPTY.percentileNanos(0.99));
        assertEquals(0, DurationHistogram.EMPTY.meanNanos());
        assertThrows(IllegalArgumentException.class, () -> DurationHistogram.EMPTY.percentileNanos(1.5));
        assertThrows(IllegalArgumentException.class, () -> new DurationHistogram(new long[3], 0, 0));
    }

    /**
     * The estimate of any quantile lies in the bucket of the true value (the nearest-rank one),
     * never above the longest time, and grows with the quantile.
     */
    @Property
    void anEstimateLiesInTheTrueValuesBucket(@ForAll("times") @Size(min = 1, max = 400) List<Long> times,
                                             @ForAll @DoubleRange(min = 0, max = 1) double q) {
        DurationHistogram h = of(times);
        List<Long> sorted = new ArrayList<>(times);
        sorted.sort(null);
        double rank = q * sorted.size();
        long exact = sorted.get((int) Math.max(0, Math.ceil(rank) - 1));
        int b = DurationHistogram.bucketOf(exact);
        long estimate = h.percentileNanos(q);
        long lower = b == 0 ? 0 : DurationHistogram.upperBoundNanos(b - 1);
        assertTrue(estimate >= lower && estimate <= DurationHistogram.upperBoundNanos(b),
                "q " + q + ": estimate " + estimate + " outside the bucket of " + exact);
        assertTrue(estimate <= h.maxNanos(), "estimate " + estimate + " above the longest " + h.maxNanos());
        assertTrue(h.percentileNanos(Math.min(1, q + 0.05)) >= estimate, "grows with the quantile");
    }

    /** From microseconds to a minute, evenly on a log scale, as connect and queue times spread. */
    @Provide
    Arbitrary<List<Long>> times() {
        return Arbitraries.doubles().between(3, 10.8).map(e -> (long) Math.pow(10, e)).list();
    }

    private static DurationHistogram of(List<Long> times) {
        long[] counts = new long[DurationHistogram.BUCKETS];
        long sum = 0;
        long max = 0;
        for (long t : times) {
            counts[DurationHistogram.bucketOf(t)]++;
            sum += t;
            max = Math.max(max, t);
        }
        return new DurationHistogram(counts, sum, max);
    }
}
