package lb.core.model;

/**
 * An event loop died of an error it could not contain (an {@code OutOfMemoryError}, say). By
 * then its tunnels are closed, their connection slots released, and its listening sockets
 * accepted by a live loop; the load balancer serves on with {@code liveLoops} loops.
 *
 * @param loop      the index of the loop that died
 * @param error     what killed it
 * @param liveLoops loops still working; 0 means the load balancer serves no one any more
 * @param loops     loops configured
 */
public record LoopFailure(int loop, Throwable error, int liveLoops, int loops) {
    /** True when no loop is left: nothing is being served. */
    public boolean isTotal() {
        return liveLoops == 0;
    }
}
