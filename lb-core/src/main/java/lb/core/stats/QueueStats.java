package lb.core.stats;

/**
 * A backend's queue of tunnels waiting for a free server slot.
 *
 * @param queued tunnels waiting now
 * @param peak   the most that ever waited at once
 * @param limit  the most allowed to wait ({@code maxQueue}); 0 refuses at once
 */
public record QueueStats(int queued, int peak, int limit) {
}
