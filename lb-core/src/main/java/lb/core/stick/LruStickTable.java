package lb.core.stick;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The stick table: bounded, expiring, approximately least-recently-used, with optional
 * per-key connection counters. Thread-safe and built for every loop to use at once: keys are
 * spread over up to {@value #MAX_SEGMENTS} segments, each with its own lock, so
 * loops rarely wait for one another and a lock is held for a few pointer moves.
 *
 * <ul>
 *   <li><b>Capacity</b> is hard: it is split evenly across the segments and a segment never
 *       exceeds its share, so {@link #size()} never exceeds {@link #capacity()}. At capacity a
 *       segment evicts by the CLOCK (second chance) rule: an entry not used since
 *       the eviction hand last passed it goes. That is approximate LRU twice over: by clock,
 *       and because a full segment evicts even when others have room (the seeded hash keeps
 *       segments within a few percent of one another: filling a 200,000-entry table with
 *       200,000 keys evicts about 0.7% of them early).</li>
 *   <li><b>Expiry</b>: an entry not used (looked up, stored, counted) for
 *       {@code expireAfterIdle} is gone: never returned, reclaimed when met, a few at a time
 *       by each insertion, or all at once by {@link #removeExpired}. An entry with counted
 *       connections not yet released is in use: it neither expires nor is evicted, and its
 *       idle time starts when its last connection is released.</li>
 *   <li><b>Key length</b>: a key longer than {@code maxKeyLength} characters is kept as its
 *       SHA-256 digest ({@link StickTable#tableKey}), not truncated: a truncated key would merge
 *       clients that share a prefix (pooling their rate counters, so one client's reconnect loop
 *       would trip a rule for all of them), while digests of different keys differ. So a long
 *       key sticks and is counted like a short one, and the bound still caps the memory any
 *       client can make the table hold: at most {@code max(maxKeyLength, 51)} characters a key.</li>
 *   <li><b>Hashing</b> is seeded per table, so clients cannot prepare keys that collide in
 *       one chain (unlike {@link String#hashCode()}, whose collisions are well known).</li>
 *   <li><b>Counters</b> (when built with a rate period): per key, the connections counted and
 *       not released, and the connection rate over a sliding period, estimated from this
 *       period's count plus the last period's weighted by how much of it is still in the
 *       window (two ints per key, as HAProxy's frequency counters).</li>
 * </ul>
 *
 * <p>Memory, with compressed references: 56 bytes per entry (64 with counters) and 4 to 8
 * bytes of bucket array, plus the key string itself, which the table keeps: a 23-character
 * client id is another 64 bytes, a digest 128.
 */
public final class LruStickTable implements StickTable {
    /** Enough locks that a few dozen loops rarely meet; more would only dilute the LRU. */
    public static final int MAX_SEGMENTS = 64;
    /** Fewer entries per segment would make the per-segment LRU too coarse. */
    private static final int MIN_SEGMENT_CAPACITY = 64;

    private final int capacity;
    private final int maxKeyLength;
    private final boolean counts;
    private final Duration expireAfterIdle;
    private final Duration ratePeriod;
    private final long seed;
    private final StickSegment[] segments;

    /** A table without counters. */
    public LruStickTable(int capacity, Duration expireAfterIdle, int maxKeyLength) {
        this(capacity, expireAfterIdle, maxKeyLength, Duration.ZERO);
    }

    /**
     * A table that also counts connections per key, their rate measured over a sliding
     * {@code ratePeriod} ({@link Duration#ZERO}: no counters).
     */
    public LruStickTable(int capacity, Duration expireAfterIdle, int maxKeyLength, Duration ratePeriod) {
        if (capacity < 1) {
            throw new IllegalArgumentException("stick table capacity must be >= 1, was " + capacity);
        }
        Objects.requireNonNull(expireAfterIdle, "expireAfterIdle");
        if (expireAfterIdle.isNegative() || expireAfterIdle.isZero()) {
            throw new IllegalArgumentException("stick table expireAfterIdle must be > 0, was " + expireAfterIdle);
        }
        if (maxKeyLength < 1) {
            throw new IllegalArgumentException("stick table maxKeyLength must be >= 1, was " + maxKeyLength);
        }
        Objects.requireNonNull(ratePeriod, "ratePeriod");
        if (ratePeriod.isNegative()) {
            throw new IllegalArgumentException("stick table ratePeriod must be >= 0, was " + ratePeriod);
        }
        this.capacity = capacity;
        this.maxKeyLength = maxKeyLength;
        this.counts = !ratePeriod.isZero();
        this.expireAfterIdle = expireAfterIdle;
        this.ratePeriod = ratePeriod;
        this.seed = ThreadLocalRandom.current().nextLong();
        long expireNs = saturatedNanos(expireAfterIdle);
        long periodNs = saturatedNanos(ratePeriod);
        int n = Math.min(MAX_SEGMENTS, Integer.highestOneBit(Math.max(1, capacity / MIN_SEGMENT_CAPACITY)));
        this.segments = new StickSegment[n];
        for (int i = 0; i < n; i++) {
            // Shares differ by at most one and sum to the capacity exactly.
            int share = capacity / n + (i < capacity % n ? 1 : 0);
            segments[i] = new StickSegment(share, expireNs, periodNs);
        }
    }

    @Override
    public String lookup(String key, long nowNs) {
        key = tableKey(key);
        int h = hash(key);
        return segmentFor(h).lookup(key, h, nowNs);
    }

    @Override
    public boolean store(String key, String serverName, long nowNs) {
        Objects.requireNonNull(serverName, "serverName");
        key = tableKey(key);
        int h = hash(key);
        return segmentFor(h).store(key, h, serverName, nowNs);
    }

    @Override
    public boolean remove(String key) {
        key = tableKey(key);
        int h = hash(key);
        return segmentFor(h).remove(key, h);
    }

    @Override
    public void clear() {
        for (StickSegment s : segments) {
            s.clear();
        }
    }

    @Override
    public int size() {
        int sum = 0;
        for (StickSegment s : segments) {
            sum += s.size();
        }
        return sum;
    }

    @Override
    public String describe() {
        return "LruStickTable(capacity=" + capacity + ", expireAfterIdle=" + expireAfterIdle + ", maxKeyLength="
                + maxKeyLength + ", ratePeriod=" + ratePeriod + ")";
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int maxKeyLength() {
        return maxKeyLength;
    }

    @Override
    public boolean countsConnections() {
        return counts;
    }

    @Override
    public int countConnection(String key, long nowNs) {
        if (!counts) {
            return 0;
        }
        key = tableKey(key);
        int h = hash(key);
        return segmentFor(h).countConnection(key, h, nowNs);
    }

    @Override
    public void releaseConnection(String key, long nowNs) {
        if (counts) {
            key = tableKey(key);
            int h = hash(key);
            segmentFor(h).releaseConnection(key, h, nowNs);
        }
    }

    @Override
    public int connections(String key, long nowNs) {
        if (!counts) {
            return 0;
        }
        key = tableKey(key);
        int h = hash(key);
        return segmentFor(h).connections(key, h, nowNs);
    }

    @Override
    public int connectionRate(String key, long nowNs) {
        if (!counts) {
            return 0;
        }
        key = tableKey(key);
        int h = hash(key);
        return segmentFor(h).connectionRate(key, h, nowNs);
    }

    @Override
    public int removeExpired(long nowNs) {
        int removed = 0;
        for (StickSegment s : segments) {
            removed += s.removeExpired(nowNs);
        }
        return removed;
    }

    @Override
    public void forEach(long nowNs, Consumer<? super StickEntry> action) {
        List<StickEntry> batch = new ArrayList<>();
        for (StickSegment s : segments) {
            batch.clear();
            s.snapshot(nowNs, batch);
            for (StickEntry e : batch) {
                action.accept(e);
            }
        }
    }

    /** The top bits choose the segment, the low bits the bucket: independent choices. */
    private StickSegment segmentFor(int hash) {
        return segments[(hash >>> 26) & (segments.length - 1)];
    }

    /**
     * Folds the key in two characters at a time with a multiply and an xor-shift, starting from
     * the table's random seed. The xor-shift breaks the algebra that lets one build colliding
     * inputs for a plain multiplicative hash, and with the seed unknown outside the process,
     * clients cannot prepare keys that pile into one chain. Not cryptographic. Two characters
     * per step halve the serial multiply chain that dominates the cost.
     */
    private int hash(String key) {
        int n = key.length();
        long h = seed ^ n;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            h = (h ^ (key.charAt(i) | (long) key.charAt(i + 1) << 16)) * 0x9e3779b97f4a7c15L;
            h ^= h >>> 29;
        }
        if (i < n) {
            h = (h ^ key.charAt(i)) * 0x9e3779b97f4a7c15L;
            h ^= h >>> 29;
        }
        h ^= h >>> 32;
        h *= 0xd6e8feb86659fd93L;
        h ^= h >>> 32;
        return (int) h;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
