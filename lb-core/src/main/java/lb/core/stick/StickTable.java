package lb.core.stick;

/**
 * Remembers which server a key (an MQTT client id, say) was sent to, so the key returns there.
 * Maps to server <em>names</em>, which survive a server being replaced. Implementations are
 * shared by all loops and must be thread-safe; they are called once per new tunnel, never per
 * byte. Times are the caller's monotonic nanoseconds.
 */
public interface StickTable {
    /** The server name stored for {@code key}, or null; a hit counts as use for expiry. */
    String lookup(String key, long nowNs);

    /** Stores (or re-points) {@code key} to {@code serverName}. */
    void store(String key, String serverName, long nowNs);

    void remove(String key);

    void clear();

    int size();
}
