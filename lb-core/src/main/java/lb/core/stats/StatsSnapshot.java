package lb.core.stats;

import java.util.List;

/**
 * Everything a load balancer counts, at one moment: per frontend, backend and server, per event
 * loop, and for the whole process. Immutable; made by {@code LoadBalancer.stats()}, which sums
 * every loop's counters at call time.
 *
 * <p>Rates and busy ratios are measured over {@link #intervalNanos()}: from an earlier snapshot
 * of the same load balancer, the oldest taken within the last 10 s (or, when snapshots are
 * rarer, the previous one), but at least 1 s old. So a page refreshed every few seconds and a
 * scraper polling every minute both see steady numbers, whoever else asks. The first snapshot
 * has no interval yet: its rates are 0.
 *
 * @param takenAtMillis when it was taken (epoch milliseconds)
 * @param intervalNanos what rates and busy ratios cover; 0 when there was no earlier snapshot
 */
public record StatsSnapshot(long takenAtMillis, long intervalNanos, ProcessStats process, List<LoopStats> loops,
                            List<FrontendStats> frontends, List<BackendStats> backends) {
    public StatsSnapshot {
        loops = List.copyOf(loops);
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
    }

    /** The frontend called {@code name}; throws if there is none. */
    public FrontendStats frontend(String name) {
        for (FrontendStats f : frontends) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no frontend '" + name + "'");
    }

    /** The backend called {@code name}; throws if there is none. */
    public BackendStats backend(String name) {
        for (BackendStats b : backends) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no backend '" + name + "'");
    }

    /** Whether rates and busy ratios cover an interval yet. */
    public boolean hasRates() {
        return intervalNanos > 0;
    }
}
