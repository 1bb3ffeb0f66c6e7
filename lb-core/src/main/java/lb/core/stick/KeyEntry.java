package lb.core.stick;

/**
 * One key of a {@link StickSegment}: its server, when it was last used, whether it was used
 * since the eviction hand last passed it, its live connection count, and its links in the
 * segment's hash chain and clock list. Only touched under its segment's lock. 56 bytes with
 * compressed references.
 */
class KeyEntry {
    final String key;
    final int hash;
    String server;
    long lastUsedNs;
    /** Counted tunnels not yet released; an entry with some is in use and never expires. */
    int connections;
    /** Used since it was linked at the new end: eviction gives it a second chance. */
    boolean referenced;
    KeyEntry nextInBucket;
    KeyEntry newer;
    KeyEntry older;

    KeyEntry(String key, int hash, long nowNs) {
        this.key = key;
        this.hash = hash;
        this.lastUsedNs = nowNs;
    }

    final boolean isInUse() {
        return connections > 0;
    }

    /** Counts one connection at {@code nowNs} in the rate; a table without counters ignores it. */
    void countEvent(long nowNs, long periodNs) {
    }

    /** Connections over the last period; 0 in a table without counters. */
    int rate(long nowNs, long periodNs) {
        return 0;
    }
}
