package lb.core.stats;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import lb.core.model.RejectReason;
import lb.core.model.Termination;

/**
 * How many tunnels ended for each {@link Termination}, every value present (zero if none), and
 * the rejects among them grouped by {@link RejectReason}. Immutable.
 */
public record Terminations(Map<Termination, Long> counts) {
    private static final Termination[] ALL = Termination.values();

    public Terminations {
        EnumMap<Termination, Long> full = new EnumMap<>(Termination.class);
        for (Termination t : ALL) {
            full.put(t, counts.getOrDefault(t, 0L));
        }
        counts = Collections.unmodifiableMap(full);
    }

    /** From counts indexed by {@link Termination#ordinal()}, as each event loop keeps them. */
    public static Terminations of(long[] byOrdinal) {
        EnumMap<Termination, Long> m = new EnumMap<>(Termination.class);
        for (Termination t : ALL) {
            m.put(t, byOrdinal[t.ordinal()]);
        }
        return new Terminations(m);
    }

    public long count(Termination termination) {
        return counts.get(termination);
    }

    /** Tunnels that ended, for any reason. */
    public long total() {
        long n = 0;
        for (long c : counts.values()) {
            n += c;
        }
        return n;
    }

    /** Rejects of one group. */
    public long rejected(RejectReason reason) {
        long n = 0;
        for (Map.Entry<Termination, Long> e : counts.entrySet()) {
            if (RejectReason.of(e.getKey()) == reason) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** Rejects by group, every group present. */
    public Map<RejectReason, Long> rejects() {
        EnumMap<RejectReason, Long> m = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            m.put(r, rejected(r));
        }
        return Collections.unmodifiableMap(m);
    }

    /** Rejects of every group together. */
    public long rejectedTotal() {
        long n = 0;
        for (Map.Entry<Termination, Long> e : counts.entrySet()) {
            if (RejectReason.of(e.getKey()) != null) {
                n += e.getValue();
            }
        }
        return n;
    }
}
