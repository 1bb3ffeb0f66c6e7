package lb.core.engine;

import lb.core.stats.DurationHistogram;

/**
 * Durations counted into {@link DurationHistogram}'s buckets for one frontend, backend or server
 * on one event loop. Single writer (the loop), plain stores: recording is a search over the 16
 * bounds and three stores, once per connect or dequeue, with no lock, atomic or allocation.
 * Each loop keeping its own is the striping: loops never write a shared line. Any thread may
 * read; a snapshot adds every loop's up, and reads may lag by a recording.
 */
public final class DurationRecorder {
    private final long[] counts = new long[DurationHistogram.BUCKETS];
    private long sumNanos;
    private long maxNanos;

    /** Counts one duration; loop thread only. */
    public void record(long nanos) {
        long n = Math.max(0, nanos);
        counts[DurationHistogram.bucketOf(n)]++;
        sumNanos += n;
        if (n > maxNanos) {
            maxNanos = n;
        }
    }

    /** Adds {@code other} into this (for a snapshot's sums; the longest is the longest of both). */
    public void add(DurationRecorder other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        sumNanos += other.sumNanos;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    public DurationHistogram histogram() {
        return new DurationHistogram(counts, sumNanos, maxNanos);
    }
}
