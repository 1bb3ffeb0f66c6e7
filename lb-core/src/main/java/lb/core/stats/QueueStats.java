package lb.core.stats;

import java.util.List;

/**
 * A backend's queue of tunnels waiting for a free server slot.
 *
 * @param queued          tunnels waiting now
 * @param peak            the most that ever waited at once
 * @param limit           the most allowed to wait ({@code maxQueue}); 0 refuses at once
 * @param priorityBurst   while a lower class waits, how many of higher classes go first in a row
 * @param classes         per priority class, lowest first: class 0 always, others once they had a tunnel
 * @param maxConnectRate  the backend-wide most new connections a second (0: no limit)
 * @param connectsDelayed tunnels that waited because the backend-wide connect rate was spent
 *                        (those waiting for a server's own rate are counted at the server)
 */
public record QueueStats(int queued, int peak, int limit, int priorityBurst, List<PriorityClassStats> classes,
                         int maxConnectRate, long connectsDelayed) {
    public QueueStats {
        classes = List.copyOf(classes);
    }

    /** A queue of a backend with no connect rate limit. */
    public QueueStats(int queued, int peak, int limit, int priorityBurst, List<PriorityClassStats> classes) {
        this(queued, peak, limit, priorityBurst, classes, 0, 0);
    }

    /** The class {@code priority}; all zeros if it had no tunnel yet. */
    public PriorityClassStats priorityClass(int priority) {
        for (PriorityClassStats c : classes) {
            if (c.priority() == priority) {
                return c;
            }
        }
        return new PriorityClassStats(priority, 0, 0, 0, 0, 0, 0, 0);
    }
}
