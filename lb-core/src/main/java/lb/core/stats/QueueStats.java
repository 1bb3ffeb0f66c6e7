package lb.core.stats;

/**
 * A backend's queue of tunnels waiting for a free server slot.
 *
 * @param queued tunnels waiting now
 * @param peak   the most that ever waited at once
 * @param limit  the most allowed to wait ({@code maxQueue}); 0 refuses at once
 * @param maxConnectRate  the backend-wide most new connections a second (0: no limit)
 * @param connectsDelayed tunnels that waited because the backend-wide connect rate was spent
 *                        (those waiting for a server's own rate are counted at the server)
 */
public record QueueStats(int queued, int peak, int limit, int maxConnectRate, long connectsDelayed) {

    /** A queue of a backend with no connect rate limit. */
    public QueueStats(int queued, int peak, int limit) {
        this(queued, peak, limit, 0, 0);
    }
}
