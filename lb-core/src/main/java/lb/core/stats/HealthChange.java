package lb.core.stats;

/**
 * A server went up or down, as seen by successive snapshots. Snapshots see the latest change
 * of each server; flaps in between show only in {@link ServerStats#downTransitions()}.
 *
 * @param atMillis when the change happened (epoch milliseconds), as the server recorded it
 */
public record HealthChange(String backend, String server, boolean up, String reason, long atMillis) {
}
