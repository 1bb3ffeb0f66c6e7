package lb.core.limit;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import lb.core.config.Network;
import lb.core.config.SourceLimits;

/**
 * Live connections and connection rates per block of client addresses, for one frontend's
 * {@link SourceLimits}. Shared by every loop and lock-free: blocks are found in a concurrent
 * map and counted with atomics, once when a connection is accepted and once when it ends,
 * never per byte.
 *
 * <p>Bounded: at most {@code capacity} blocks. A block leaves only when nothing is counted in
 * it and it has been idle for the expiry; it is first marked gone (its live count set from 0
 * to {@link Integer#MIN_VALUE}), so a connection that found it a moment before notices and
 * looks again instead of being counted where no one will see it. Idle blocks are swept when
 * the table is full, by the loop that found it full, at most once per {@link #SWEEP_PAUSE_NS}:
 * a scan of the map (about a millisecond per 100,000 blocks). If the table is still full, the
 * new block goes uncounted ({@link #uncounted()}).
 */
public final class SourceTable {
    /** What a connection's count says. */
    public enum Admission { ADMITTED, TOO_MANY, TOO_FAST }

    /** Sweeping a full table again sooner would rescan the same live blocks. */
    static final long SWEEP_PAUSE_NS = 1_000_000_000L;
    private static final int GONE = Integer.MIN_VALUE;
    /** Not swept yet (a nanoTime reading may be any long, so no reading can stand for it). */
    private static final long NEVER = Long.MIN_VALUE;
    private static final int LOOKUPS = 4;

    private volatile SourceLimits limits;
    private final long ratePeriodNs;
    private final long idleExpiryNs;
    private final ConcurrentHashMap<Network, Block> blocks = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong uncounted = new AtomicLong();
    private final AtomicLong nextSweepNs = new AtomicLong(NEVER);

    public SourceTable(SourceLimits limits) {
        this.limits = limits;
        this.ratePeriodNs = limits.ratePeriod().toNanos();
        this.idleExpiryNs = Math.max(limits.idleExpiry().toNanos(), 2 * ratePeriodNs);
    }

    public SourceLimits limits() {
        return limits;
    }

    /**
     * Whether {@code next} counts the same blocks the same way (prefixes, rate period, table
     * size and expiry), so this table may go on under it and keep its counts.
     */
    public boolean countsAlike(SourceLimits next) {
        SourceLimits now = limits;
        return now.ipv4Prefix() == next.ipv4Prefix() && now.ipv6Prefix() == next.ipv6Prefix()
                && now.ratePeriod().equals(next.ratePeriod()) && now.capacity() == next.capacity()
                && now.idleExpiry().equals(next.idleExpiry());
    }

    /** New limit values for blocks counted alike (see {@link #countsAlike}); counts stay. */
    public void limits(SourceLimits next) {
        if (!countsAlike(next)) {
            throw new IllegalArgumentException("a table counting otherwise is a new table: " + next);
        }
        this.limits = next;
    }

    /**
     * One block's counts. Its connection count is the number of admitted connections not yet
     * ended ({@link #GONE} once it left the table); its rate is kept as HAProxy's frequency
     * counters do: this period's count and the last one's, weighted by how much of the last
     * period still lies in the sliding window, packed in one long (period number in the high 32
     * bits, two 16-bit counts below) so one compare-and-set moves both.
     */
    public static final class Block {
        final Network network;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicLong rate = new AtomicLong();
        volatile long lastActiveNs;

        Block(Network network, long nowNs, long periodNs) {
            this.network = network;
            this.lastActiveNs = nowNs;
            this.rate.set(pack(periodOf(nowNs, periodNs), 0, 0));
        }

        /** The block's network, for logs. */
        public Network network() {
            return network;
        }

        /** Connections counted and not yet ended. */
        public int connections() {
            return Math.max(0, connections.get());
        }

        /** An admitted connection counted here ended. */
        public void release(long nowNs) {
            lastActiveNs = nowNs;
            connections.decrementAndGet();
        }

        /** Counts a new connection in the rate; returns the rate including it. */
        int countNew(long nowNs, long periodNs) {
            int now = periodOf(nowNs, periodNs);
            while (true) {
                long packed = rate.get();
                int period = (int) (packed >> 32);
                int current = (int) (packed >>> 16) & 0xffff;
                int previous = (int) packed & 0xffff;
                int gap = now - period;
                if (gap == 1) {
                    previous = current;
                    current = 0;
                } else if (gap != 0) {
                    previous = 0;
                    current = 0;
                }
                current = Math.min(0xffff, current + 1);
                if (rate.compareAndSet(packed, pack(now, current, previous))) {
                    return estimate(nowNs, periodNs, current, previous);
                }
            }
        }

        /** New connections within the sliding period ending now. */
        int rate(long nowNs, long periodNs) {
            long packed = rate.get();
            int gap = periodOf(nowNs, periodNs) - (int) (packed >> 32);
            int current = (int) (packed >>> 16) & 0xffff;
            int previous = (int) packed & 0xffff;
            if (gap == 0) {
                return estimate(nowNs, periodNs, current, previous);
            }
            return gap == 1 ? estimate(nowNs, periodNs, 0, current) : 0;
        }

        private static int estimate(long nowNs, long periodNs, int current, int previous) {
            double stillInWindow = (double) (periodNs - Math.floorMod(nowNs, periodNs)) / periodNs;
            return current + (int) (previous * stillInWindow);
        }

        private static long pack(int period, int current, int previous) {
            return ((long) period << 32) | ((long) current << 16) | previous;
        }

        private static int periodOf(long nowNs, long periodNs) {
            return (int) Math.floorDiv(nowNs, periodNs);
        }
    }

    /**
     * Counts a new connection from {@code source}: in its block's rate, and in its live
     * connections if admitted. Puts the block in {@code counted[0]} when the connection was
     * admitted and counted there (the caller gives it back with {@link Block#release}), null when
     * it was refused or went uncounted because the table is full.
     */
    public Admission admit(InetAddress source, long nowNs, Block[] counted) {
        counted[0] = null;
        SourceLimits limits = this.limits;
        Network network = Network.around(source, limits.ipv4Prefix(), limits.ipv6Prefix());
        for (int i = 0; i < LOOKUPS; i++) {
            Block b = blockFor(network, nowNs);
            if (b == null) {
                uncounted.incrementAndGet();
                return Admission.ADMITTED;
            }
            int live = b.connections.incrementAndGet();
            if (live <= 0) {
                continue; // it left the table a moment ago: look again
            }
            b.lastActiveNs = nowNs;
            int rate = b.countNew(nowNs, ratePeriodNs);
            if (limits.maxConnectionRate() > 0 && rate > limits.maxConnectionRate()) {
                b.connections.decrementAndGet();
                return Admission.TOO_FAST;
            }
            if (limits.maxConnections() > 0 && live > limits.maxConnections()) {
                b.connections.decrementAndGet();
                return Admission.TOO_MANY;
            }
            counted[0] = b;
            return Admission.ADMITTED;
        }
        uncounted.incrementAndGet(); // swept away under our feet again and again: let it pass
        return Admission.ADMITTED;
    }

    private Block blockFor(Network network, long nowNs) {
        Block b = blocks.get(network);
        if (b != null) {
            return b;
        }
        int capacity = limits.capacity();
        if (size.get() >= capacity && sweep(nowNs) == 0) {
            return null;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return null;
        }
        Block fresh = new Block(network, nowNs, ratePeriodNs);
        Block raced = blocks.putIfAbsent(network, fresh);
        if (raced != null) {
            size.decrementAndGet();
            return raced;
        }
        return fresh;
    }

    /**
     * Removes blocks idle past the expiry with nothing counted; at most once per pause, by one
     * thread at a time. Returns how many it removed (0 when it did not run).
     */
    int sweep(long nowNs) {
        long next = nextSweepNs.get();
        boolean paused = next != NEVER && nowNs - next < 0;
        if (paused || !nextSweepNs.compareAndSet(next, nowNs + SWEEP_PAUSE_NS)) {
            return 0;
        }
        int removed = 0;
        for (Iterator<Block> it = blocks.values().iterator(); it.hasNext(); ) {
            Block b = it.next();
            if (nowNs - b.lastActiveNs >= idleExpiryNs && b.connections.compareAndSet(0, GONE)) {
                it.remove();
                size.decrementAndGet();
                removed++;
            }
        }
        return removed;
    }

    /** Blocks held now. */
    public int size() {
        return size.get();
    }

    /** Connections let in uncounted because the table was full. */
    public long uncounted() {
        return uncounted.get();
    }

    /** The live connections counted for {@code source}'s block now; 0 if it has none. */
    public int connections(InetAddress source) {
        SourceLimits limits = this.limits;
        Block b = blocks.get(Network.around(source, limits.ipv4Prefix(), limits.ipv6Prefix()));
        return b == null ? 0 : b.connections();
    }

    /** The connection rate of {@code source}'s block at {@code nowNs}; 0 if it has none. */
    public int connectionRate(InetAddress source, long nowNs) {
        SourceLimits limits = this.limits;
        Block b = blocks.get(Network.around(source, limits.ipv4Prefix(), limits.ipv6Prefix()));
        return b == null ? 0 : b.rate(nowNs, ratePeriodNs);
    }
}
