package lb.core.stick;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Remembers which server a key (an MQTT client id, say) was sent to, so the key returns there,
 * and optionally counts each key's connections so rules can act on them. Maps to server
 * <em>names</em>, which survive a server being replaced. Implementations are shared by all
 * loops and must be thread-safe; they are called once per new tunnel, never per byte. Times
 * are the caller's monotonic nanoseconds ({@code System.nanoTime()} or a test clock).
 *
 * <p>How the engine uses it: look the key up; if the remembered server is usable, go there;
 * otherwise let the balancer pick, and once the server connection is established store the
 * key with that server, which re-points an entry left pointing at a server that is down,
 * draining, in maintenance or gone.
 *
 * <p>Keys are strings. One of at most {@link #maxKeyLength()} characters is kept as it is; a
 * longer one is kept as a fixed-length digest ({@link #tableKey}), so it sticks and is counted
 * like any other while the table's memory per entry stays bounded. Every method takes either
 * form; a caller that uses one key for several calls (the engine, once per new tunnel) asks
 * {@link #tableKey} once and passes its answer, so the digest is computed once. Binary keys (an
 * address, raw bytes) go in through {@link #bytesKey}, one character per byte.
 */
public interface StickTable {
    /** The server name stored for {@code key}, or null; a hit counts as use for expiry. */
    String lookup(String key, long nowNs);

    /**
     * Stores (or re-points) {@code key} to {@code serverName}. False when the table is full and
     * nothing could be evicted to make room.
     */
    boolean store(String key, String serverName, long nowNs);

    /** Forgets {@code key}; false if it was not there. */
    boolean remove(String key);

    void clear();

    /** Entries held now, counting expired ones not yet reclaimed; never above the capacity. */
    int size();

    int capacity();

    /** Longest key, in characters, that the table keeps as it is; longer ones it keeps as a digest. */
    int maxKeyLength();

    /**
     * The form in which the table keeps {@code key}: the key itself when it has at most
     * {@link #maxKeyLength()} characters (or already is a digest), else the SHA-256 digest of its
     * characters behind a marker no key read from UTF-8 text or bytes can begin with (a lone
     * U+DFFF), so it collides with no short key and, but for a SHA-256 collision, no other long
     * one. Passing the answer back to this table's methods is the same as passing {@code key}.
     */
    default String tableKey(String key) {
        return key.length() <= maxKeyLength() || KeyDigest.isDigest(key) ? key : KeyDigest.of(key);
    }

    /** Whether this table keeps per-key connection counters. */
    boolean countsConnections();

    /**
     * A tunnel for {@code key} begins: counts it in the key's current connections and its
     * connection rate, creating the entry if needed (with no server yet). Returns the
     * connection rate including this one, for rules such as "reject a client id reconnecting
     * more than N times per period"; 0 when the table keeps no counters, or is full of keys
     * in use. Each call must be matched by one {@link #releaseConnection}.
     */
    int countConnection(String key, long nowNs);

    /** A tunnel counted by {@link #countConnection} ended; idle time starts now. */
    void releaseConnection(String key, long nowNs);

    /** Tunnels counted for {@code key} and not yet released; 0 if unknown. */
    int connections(String key, long nowNs);

    /** Connections counted for {@code key} over the last rate period; 0 if unknown. */
    int connectionRate(String key, long nowNs);

    /** Reclaims every expired entry now (they are otherwise reclaimed lazily); returns how many. */
    int removeExpired(long nowNs);

    /**
     * Hands {@code action} a snapshot of each live entry, for inspection (a control API, a
     * stats page). Weakly consistent: entries stored or removed meanwhile may be missed or seen.
     * The action runs outside the table's locks, so it may call the table.
     */
    void forEach(long nowNs, Consumer<? super StickEntry> action);

    /**
     * The kind of table and its settings. A reconfiguration keeps the running table (and its
     * entries) when the description did not change, and carries the entries over to the new
     * table when it did.
     */
    default String describe() {
        return getClass().getSimpleName() + "(capacity=" + capacity() + ", maxKeyLength=" + maxKeyLength() + ")";
    }

    /** A binary key as a string of one character per byte (compact in memory: Latin-1). */
    static String bytesKey(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
}
