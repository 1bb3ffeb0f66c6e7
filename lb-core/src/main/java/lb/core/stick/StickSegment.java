package lb.core.stick;

import java.util.List;

/**
 * One lock's share of an {@link LruStickTable}: a chained hash table of {@link KeyEntry}s plus
 * a doubly linked clock list, from the old end (next to evict) to the new end. Thread-safe:
 * every method holding or changing entries runs under this segment's monitor;
 * {@link #size()} reads a volatile copy without it.
 *
 * <p>Approximate LRU by the CLOCK (second chance) rule: a hit only marks the entry referenced
 * and stamps its time, so a lookup writes one entry it has already read, instead of moving it
 * (which costs cache misses on two neighbours, all under the lock). Eviction looks at the old
 * end: an entry referenced since it was linked there gets a second chance (unmarked, moved to
 * the new end); the first one that was not is evicted.
 *
 * <p>Invariants, whenever the monitor is free:
 * <ul>
 *   <li>every entry is in exactly one bucket chain and once in the clock list, and
 *       {@code size} counts them; {@code size <= capacity};</li>
 *   <li>an entry past its idle expiry and not in use is never returned: it is unlinked when
 *       met (lookup, store, sweep) instead;</li>
 *   <li>an entry in use (counted connections) never expires; eviction skips it.</li>
 * </ul>
 *
 * <p>Costs: lookups and stores are O(1) expected (chains stay short: the table doubles at
 * 3/4 load up to one bucket per entry at capacity, and keys hash with a per-table seed). A
 * store that adds a key also reclaims up to {@value #SWEEP_PER_INSERT} expired entries from the
 * old end, so expired entries do not pile up without a sweeper thread; at capacity it evicts
 * after looking at most {@value #EVICTION_SCAN} entries deep (twice that if all of them were in
 * use or referenced).
 */
final class StickSegment {
    private static final int INITIAL_BUCKETS = 16;
    private static final int SWEEP_PER_INSERT = 2;
    private static final int EVICTION_SCAN = 8;

    private final int capacity;
    private final long expireAfterIdleNs;
    /** Rate period for counters; 0 when the table keeps none. */
    private final long ratePeriodNs;
    private final int maxBuckets;
    private KeyEntry[] buckets;
    private KeyEntry newest;
    private KeyEntry oldest;
    private volatile int size;

    StickSegment(int capacity, long expireAfterIdleNs, long ratePeriodNs) {
        this.capacity = capacity;
        this.expireAfterIdleNs = expireAfterIdleNs;
        this.ratePeriodNs = ratePeriodNs;
        // Chains average at most one entry at capacity: 4 to 8 bytes of buckets per entry.
        int atLeastCapacity = capacity <= 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        this.maxBuckets = Math.max(INITIAL_BUCKETS, Math.min(1 << 30, atLeastCapacity));
        this.buckets = new KeyEntry[Math.min(INITIAL_BUCKETS, maxBuckets)];
    }

    int size() {
        return size;
    }

    synchronized String lookup(String key, int hash, long nowNs) {
        KeyEntry e = findLive(key, hash, nowNs);
        if (e == null) {
            return null;
        }
        touch(e, nowNs);
        return e.server;
    }

    synchronized boolean store(String key, int hash, String server, long nowNs) {
        KeyEntry e = findOrInsert(key, hash, nowNs);
        if (e == null) {
            return false;
        }
        e.server = server;
        return true;
    }

    synchronized boolean remove(String key, int hash) {
        KeyEntry e = find(key, hash);
        if (e == null) {
            return false;
        }
        unlink(e);
        return true;
    }

    synchronized int countConnection(String key, int hash, long nowNs) {
        KeyEntry e = findOrInsert(key, hash, nowNs);
        if (e == null) {
            return 0;
        }
        if (e.connections < Integer.MAX_VALUE) {
            e.connections++;
        }
        e.countEvent(nowNs, ratePeriodNs);
        return e.rate(nowNs, ratePeriodNs);
    }

    synchronized void releaseConnection(String key, int hash, long nowNs) {
        KeyEntry e = find(key, hash);
        if (e != null && e.connections > 0) {
            e.connections--;
            touch(e, nowNs);
        }
    }

    synchronized int connections(String key, int hash, long nowNs) {
        KeyEntry e = findLive(key, hash, nowNs);
        return e == null ? 0 : e.connections;
    }

    synchronized int connectionRate(String key, int hash, long nowNs) {
        KeyEntry e = findLive(key, hash, nowNs);
        return e == null ? 0 : e.rate(nowNs, ratePeriodNs);
    }

    synchronized int removeExpired(long nowNs) {
        int removed = 0;
        for (KeyEntry e = oldest; e != null; ) {
            KeyEntry newer = e.newer;
            if (isExpired(e, nowNs)) {
                unlink(e);
                removed++;
            }
            e = newer;
        }
        return removed;
    }

    synchronized void clear() {
        buckets = new KeyEntry[Math.min(INITIAL_BUCKETS, maxBuckets)];
        newest = null;
        oldest = null;
        size = 0;
    }

    /** Adds a snapshot of every live entry to {@code out}, from the new end of the clock. */
    synchronized void snapshot(long nowNs, List<StickEntry> out) {
        for (KeyEntry e = newest; e != null; e = e.older) {
            if (!isExpired(e, nowNs)) {
                out.add(new StickEntry(e.key, e.server, Math.max(0, nowNs - e.lastUsedNs), e.connections,
                        e.rate(nowNs, ratePeriodNs)));
            }
        }
    }

    // ---- under the monitor ------------------------------------------------------------------

    private boolean isExpired(KeyEntry e, long nowNs) {
        return !e.isInUse() && nowNs - e.lastUsedNs >= expireAfterIdleNs;
    }

    private KeyEntry find(String key, int hash) {
        for (KeyEntry e = buckets[hash & (buckets.length - 1)]; e != null; e = e.nextInBucket) {
            if (e.hash == hash && e.key.equals(key)) {
                return e;
            }
        }
        return null;
    }

    /** The entry for {@code key} unless absent or expired; an expired one is reclaimed. */
    private KeyEntry findLive(String key, int hash, long nowNs) {
        KeyEntry e = find(key, hash);
        if (e != null && isExpired(e, nowNs)) {
            unlink(e);
            return null;
        }
        return e;
    }

    /**
     * The live entry for {@code key}, marked used; else a new one, linked at the new end and
     * not marked (it has not been used again since it was linked); null when every entry
     * within eviction's reach is in use.
     */
    private KeyEntry findOrInsert(String key, int hash, long nowNs) {
        KeyEntry e = findLive(key, hash, nowNs);
        if (e != null) {
            touch(e, nowNs);
            return e;
        }
        sweepOldest(nowNs);
        if (size >= capacity && !evict()) {
            return null;
        }
        e = ratePeriodNs > 0 ? new CountedKeyEntry(key, hash, nowNs, ratePeriodNs) : new KeyEntry(key, hash, nowNs);
        int i = hash & (buckets.length - 1);
        e.nextInBucket = buckets[i];
        buckets[i] = e;
        linkNewest(e);
        size = size + 1;
        if (size > buckets.length - (buckets.length >>> 2) && buckets.length < maxBuckets) {
            grow();
        }
        return e;
    }

    /**
     * Reclaims a few expired entries from the old end. Entries in use found there move to the
     * new end: they are being used, and this keeps expired entries within reach. Stops at the
     * first live entry; expired ones further in wait for the clock hand, a lookup or
     * {@link #removeExpired}.
     */
    private void sweepOldest(long nowNs) {
        for (int i = 0; i < SWEEP_PER_INSERT && oldest != null; i++) {
            KeyEntry e = oldest;
            if (e.isInUse()) {
                relinkNewest(e);
            } else if (nowNs - e.lastUsedNs >= expireAfterIdleNs) {
                unlink(e);
            } else {
                return;
            }
        }
    }

    /**
     * Evicts by the clock rule: from the old end, entries in use and entries referenced since
     * they were linked move to the new end (the latter unmarked), and the first other entry
     * goes. If the first {@value #EVICTION_SCAN} all moved, the next entry not in use goes,
     * referenced or not, so the work stays bounded. False if every entry within reach is in use.
     */
    private boolean evict() {
        for (int i = 0; i < EVICTION_SCAN && oldest != null; i++) {
            KeyEntry e = oldest;
            if (!e.isInUse() && !e.referenced) {
                unlink(e);
                return true;
            }
            e.referenced = false;
            relinkNewest(e);
        }
        for (int i = 0; i < EVICTION_SCAN && oldest != null; i++) {
            KeyEntry e = oldest;
            if (!e.isInUse()) {
                unlink(e);
                return true;
            }
            relinkNewest(e);
        }
        return false;
    }

    private static void touch(KeyEntry e, long nowNs) {
        e.lastUsedNs = nowNs;
        e.referenced = true;
    }

    private void unlink(KeyEntry e) {
        int i = e.hash & (buckets.length - 1);
        if (buckets[i] == e) {
            buckets[i] = e.nextInBucket;
        } else {
            KeyEntry p = buckets[i];
            while (p.nextInBucket != e) {
                p = p.nextInBucket;
            }
            p.nextInBucket = e.nextInBucket;
        }
        e.nextInBucket = null;
        unlinkFromList(e);
        size = size - 1;
    }

    private void relinkNewest(KeyEntry e) {
        if (e != newest) {
            unlinkFromList(e);
            linkNewest(e);
        }
    }

    private void linkNewest(KeyEntry e) {
        e.older = newest;
        e.newer = null;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
    }

    private void unlinkFromList(KeyEntry e) {
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        e.newer = null;
        e.older = null;
    }

    private void grow() {
        KeyEntry[] old = buckets;
        KeyEntry[] next = new KeyEntry[old.length << 1];
        int mask = next.length - 1;
        for (KeyEntry head : old) {
            for (KeyEntry e = head; e != null; ) {
                KeyEntry following = e.nextInBucket;
                int i = e.hash & mask;
                e.nextInBucket = next[i];
                next[i] = e;
                e = following;
            }
        }
        buckets = next;
    }
}
