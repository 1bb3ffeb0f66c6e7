package lb.core.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The most new connections a server (or a whole backend) is sent per second: a token bucket
 * shared by every loop, kept as one atomic (the generic cell rate algorithm: the time the next
 * connection is due). Thread-safe and allocation-free; touched once per new connection.
 *
 * <p>Connections are spaced evenly at the rate, with a burst of {@link #BURST_NS} worth (at
 * least one), so a second never holds more than the rate and that burst: loops look at the
 * bucket once per 10 ms timer tick, so a smaller burst would cap the rate at 100 a second.
 */
public final class ConnectRate {
    /** How much of the rate may come at once. */
    public static final long BURST_NS = 20_000_000L;
    private static final long NONE = Long.MIN_VALUE;

    /** When the next connection is due at the rate; NONE before the first. */
    private final AtomicLong due = new AtomicLong(NONE);
    private final AtomicLong delayed = new AtomicLong();

    /** Takes one connection at {@code perSecond} (0: no limit); false if that would exceed it now. */
    public boolean tryTake(long nowNs, int perSecond) {
        if (perSecond <= 0) {
            return true;
        }
        long interval = interval(perSecond);
        long tolerance = Math.max(0, BURST_NS - interval);
        while (true) {
            long next = due.get();
            long from = next == NONE || next - nowNs < 0 ? nowNs : next;
            if (from - nowNs > tolerance) {
                return false;
            }
            if (due.compareAndSet(next, from + interval)) {
                return true;
            }
        }
    }

    /** Returns a connection taken by {@link #tryTake} and not used (its tunnel went elsewhere). */
    public void giveBack(int perSecond) {
        if (perSecond > 0) {
            due.addAndGet(-interval(perSecond));
        }
    }

    /** How many connections {@link #tryTake} would grant now, at most. */
    public int available(long nowNs, int perSecond) {
        if (perSecond <= 0) {
            return Integer.MAX_VALUE;
        }
        long interval = interval(perSecond);
        long tolerance = Math.max(0, BURST_NS - interval);
        long next = due.get();
        long from = next == NONE || next - nowNs < 0 ? nowNs : next;
        long room = nowNs + tolerance - from;
        return room < 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, room / interval + 1);
    }

    /** Nanoseconds from {@code nowNs} until one connection is granted again (0 if now). */
    public long nanosUntilNext(long nowNs, int perSecond) {
        if (perSecond <= 0) {
            return 0;
        }
        long tolerance = Math.max(0, BURST_NS - interval(perSecond));
        long next = due.get();
        return next == NONE ? 0 : Math.max(0, next - tolerance - nowNs);
    }

    /** Counts a tunnel that had to wait for this rate. */
    public void countDelayed() {
        delayed.incrementAndGet();
    }

    /** Tunnels that waited for this rate, ever. */
    public long delayed() {
        return delayed.get();
    }

    private static long interval(int perSecond) {
        return Math.max(1, 1_000_000_000L / perSecond);
    }
}
