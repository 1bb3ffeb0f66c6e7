package lb.core.stats;

/**
 * One priority class of a backend's tunnels (see {@code PriorityRule}; class 0 is every client
 * no rule matched) and how its queue treated them.
 *
 * @param priority        the class, 0..7; higher leaves the queue first
 * @param tunnels         tunnels of the class routed to the backend
 * @param queued          waiting in the queue now
 * @param queuedTotal     tunnels that had to wait, every server being full
 * @param dequeued        waiters the queue let go to a server
 * @param timedOut        waiters refused when the queue timeout passed
 * @param waitNanosTotal  the waits of those let go, added up
 * @param maxWaitNanos    the longest wait of one let go
 */
public record PriorityClassStats(int priority, long tunnels, int queued, long queuedTotal, long dequeued,
                                 long timedOut, long waitNanosTotal, long maxWaitNanos) {

    /** The mean wait of those let go; 0 before any. */
    public long meanWaitNanos() {
        return dequeued == 0 ? 0 : waitNanosTotal / dequeued;
    }
}
