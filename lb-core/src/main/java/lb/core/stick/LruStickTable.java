package lb.core.stick;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A simple bounded stick table: entries expire after {@code expireAfterIdle} without use, and
 * at capacity the least recently used entry is evicted. Thread-safe by one monitor; lookups
 * and stores are O(1). Keys longer than {@code maxKeyLength} characters are not stored (and
 * so never stick), because truncating them could send two clients to one entry.
 */
public final class LruStickTable implements StickTable {
    private static final class Entry {
        String server;
        long lastUsedNs;

        Entry(String server, long lastUsedNs) {
            this.server = server;
            this.lastUsedNs = lastUsedNs;
        }
    }

    private final int capacity;
    private final long expireAfterIdleNs;
    private final int maxKeyLength;
    private final LinkedHashMap<String, Entry> entries;

    public LruStickTable(int capacity, Duration expireAfterIdle, int maxKeyLength) {
        if (capacity < 1) {
            throw new IllegalArgumentException("stick table capacity must be >= 1, was " + capacity);
        }
        if (expireAfterIdle.isNegative() || expireAfterIdle.isZero()) {
            throw new IllegalArgumentException("stick table expireAfterIdle must be > 0, was " + expireAfterIdle);
        }
        this.capacity = capacity;
        this.expireAfterIdleNs = expireAfterIdle.toNanos();
        this.maxKeyLength = maxKeyLength;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > LruStickTable.this.capacity;
            }
        };
    }

    @Override
    public synchronized String lookup(String key, long nowNs) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (nowNs - e.lastUsedNs >= expireAfterIdleNs) {
            entries.remove(key);
            return null;
        }
        e.lastUsedNs = nowNs;
        return e.server;
    }

    @Override
    public synchronized void store(String key, String serverName, long nowNs) {
        if (key.length() > maxKeyLength) {
            return;
        }
        Entry e = entries.get(key);
        if (e == null) {
            entries.put(key, new Entry(serverName, nowNs));
        } else {
            e.server = serverName;
            e.lastUsedNs = nowNs;
        }
    }

    @Override
    public synchronized void remove(String key) {
        entries.remove(key);
    }

    @Override
    public synchronized void clear() {
        entries.clear();
    }

    @Override
    public synchronized int size() {
        return entries.size();
    }
}
