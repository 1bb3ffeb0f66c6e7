package lb.core.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The earlier samples of one load balancer's counters that rates are measured from. Not
 * thread-safe: its collector holds the lock.
 *
 * <p>Keeps at most one sample per {@link #MIN_AGE_NS} and drops those older than
 * {@link #WINDOW_NS}, except the newest of them, so frequent snapshots measure over about the
 * window and rare ones from the previous snapshot. Holds at most about a dozen samples.
 */
final class RateWindow {
    static final long WINDOW_NS = 10_000_000_000L;
    /** A younger reference would turn one connection into a wild rate. */
    static final long MIN_AGE_NS = 1_000_000_000L;

    /** Counter values at one moment, keyed by the counted object (frontend, backend, server, loop). */
    static final class Sample {
        final long nanos;
        private final Map<Object, long[]> values = new IdentityHashMap<>();

        Sample(long nanos) {
            this.nanos = nanos;
        }

        void put(Object counted, long... counters) {
            values.put(counted, counters);
        }

        /** The counters of {@code counted}, or null if it did not exist then. */
        long[] get(Object counted) {
            return values.get(counted);
        }
    }

    private final List<Sample> samples = new ArrayList<>();

    /** The sample to measure from at {@code nowNs}, or null if none is old enough yet. */
    Sample reference(long nowNs) {
        while (samples.size() >= 2 && nowNs - samples.get(1).nanos >= WINDOW_NS) {
            samples.remove(0);
        }
        Sample oldest = samples.isEmpty() ? null : samples.get(0);
        return oldest != null && nowNs - oldest.nanos >= MIN_AGE_NS ? oldest : null;
    }

    void add(Sample sample) {
        if (samples.isEmpty() || sample.nanos - samples.get(samples.size() - 1).nanos >= MIN_AGE_NS) {
            samples.add(sample);
        }
    }

    /** Per second, from {@code before} (0 if the counted object is newer than the reference). */
    static double perSecond(long now, long before, long intervalNs) {
        return intervalNs <= 0 ? 0 : Math.max(0, now - before) * 1e9 / intervalNs;
    }
}
