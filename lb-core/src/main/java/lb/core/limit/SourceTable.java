package lb.core.limit;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * the table is full, a step at a time: the loop that finds it full for a new block looks at the
 * next {@link #SWEEP_STEP} blocks of a cursor that goes round the map, and no more (a whole
 * scan of a 100,000-block table took 10 to 100 ms, far too long for a loop). If that step freed
 * nothing, the new block goes uncounted ({@link #uncounted()}); later steps go on where it
 * stopped, so every idle block is found within about capacity / {@value #SWEEP_STEP} new sources.
 */
public final class SourceTable {
    /** What a connection's count says. */
    public enum Admission { ADMITTED, TOO_MANY, TOO_FAST }

    /**
     * Blocks one sweep step looks at: about 5 us of a loop's time in a full table of 100,000
     * (256 took 25 to 37 us); a table of idle blocks is emptied within capacity / 64 new sources.
     */
    static final int SWEEP_STEP = 64;
    private static final int GONE = Integer.MIN_VALUE;
    private static final int LOOKUPS = 4;

    private volatile SourceLimits limits;
    private final long ratePeriodNs;
    private final long idleExpiryNs;
    private final ConcurrentHashMap<Network, Block> blocks = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong uncounted = new AtomicLong();
    /** Held by the one thread taking a sweep step; the others skip theirs. */
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** Where the next sweep step starts; touched only while holding {@link #sweeping}. */
    private Iterator<Block> sweepCursor;

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
     * One sweep step: of the next {@link #SWEEP_STEP} blocks, removes those idle past the expiry
     * with nothing counted. One thread at a time (another finding a step under way skips it).
     * Returns how many it removed.
     */
    int sweep(long nowNs) {
        if (!sweeping.compareAndSet(false, true)) {
            return 0;
        }
        try {
            int removed = 0;
            for (int i = 0; i < SWEEP_STEP; i++) {
                if (sweepCursor == null || !sweepCursor.hasNext()) {
                    sweepCursor = blocks.values().iterator(); // weakly consistent: safe while others change the map
                    if (!sweepCursor.hasNext()) {
                        break;
                    }
                }
                Block b = sweepCursor.next();
                if (nowNs - b.lastActiveNs >= idleExpiryNs && b.connections.compareAndSet(0, GONE)) {
                    blocks.remove(b.network, b);
                    size.decrementAndGet();
                    removed++;
                }
            }
            return removed;
        } finally {
            sweeping.set(false); // publishes the cursor to the next thread that takes a step
        }
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
