package lb.core.stats;

/**
 * The whole load balancer.
 *
 * @param connections      live client connections (the global limit's count)
 * @param maxConnections   the global limit; 0 means none
 * @param tunnels          live tunnels over all loops
 * @param acceptErrors     failed accepts (out of file descriptors, say)
 * @param bufferSize       bytes per pooled buffer
 * @param busyRatio        the loops' mean working share over the snapshot's interval, 0..1
 * @param busiestLoopRatio the highest working share of any one loop: a loop near 1 is
 *                         saturated even when the mean looks fine
 */
public record ProcessStats(int eventLoops, int connections, int maxConnections, int tunnels, long acceptErrors,
                           int buffersInUse, int buffersIdle, long buffersCreated, int bufferSize,
                           double busyRatio, double busiestLoopRatio) {
}
