package lb.core.stats;

/**
 * One event loop.
 *
 * @param tunnels       live tunnels on it, counting those handed to it and not yet started
 * @param busyNanos     time spent working rather than waiting in select, since it started
 * @param busyRatio     the share of wall time spent working over the snapshot's interval, 0..1
 * @param buffersInUse  pooled buffers lent to tunnels with unsent bytes
 * @param buffersIdle   free pooled buffers kept for reuse
 * @param buffersCreated pooled buffers ever allocated
 * @param alive         false once the loop died of an error it could not contain
 * @param faults        units of work on this loop that threw and were contained
 * @param tlsHandshakes TLS handshakes under way on it (at most {@code tlsHandshakesPerLoop})
 * @param tlsHandshakesWaiting TLS clients that sent their hello and wait for a handshake turn
 */
public record LoopStats(int index, int tunnels, long busyNanos, double busyRatio,
                        int buffersInUse, int buffersIdle, long buffersCreated, boolean alive, long faults,
                        int tlsHandshakes, int tlsHandshakesWaiting) {

    /** A loop with no TLS handshake under way or waiting. */
    public LoopStats(int index, int tunnels, long busyNanos, double busyRatio,
                     int buffersInUse, int buffersIdle, long buffersCreated, boolean alive, long faults) {
        this(index, tunnels, busyNanos, busyRatio, buffersInUse, buffersIdle, buffersCreated, alive, faults, 0, 0);
    }
}
