package lb.core.stick;

/**
 * A snapshot of one stick-table entry, for inspection. {@code server} is null for an entry
 * that only counts connections; the counters are 0 in a table that keeps none.
 */
public record StickEntry(String key, String server, long idleNs, int connections, int connectionRate) {
}
