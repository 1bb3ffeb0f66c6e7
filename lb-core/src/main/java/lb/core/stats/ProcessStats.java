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
 * @param liveLoops        loops working; fewer than {@code eventLoops} means a loop died of an
 *                         error it could not contain
 * @param faults           units of loop work that threw and were contained (bugs, each logged)
 * @param memory           the memory budget and its use
 * @param kernel           the kernel's counts of connections dropped at listening sockets
 */
public record ProcessStats(int eventLoops, int connections, int maxConnections, int tunnels, long acceptErrors,
                           int buffersInUse, int buffersIdle, long buffersCreated, int bufferSize,
                           double busyRatio, double busiestLoopRatio, int liveLoops, long faults,
                           MemoryStats memory, KernelListenStats kernel) {
}
