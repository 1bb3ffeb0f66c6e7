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
 * @param peakConnections  the most live client connections at once since the start
 * @param build            this library's version and the Java runtime's
 * @param startedAtMillis  when the process (the JVM) started (epoch milliseconds)
 */
public record ProcessStats(int eventLoops, int connections, int maxConnections, int tunnels, long acceptErrors,
                           int buffersInUse, int buffersIdle, long buffersCreated, int bufferSize,
                           double busyRatio, double busiestLoopRatio, int liveLoops, long faults,
                           MemoryStats memory, KernelListenStats kernel, int peakConnections, BuildInfo build,
                           long startedAtMillis) {

    /** Process figures without a peak (the live count stands in) or a start time (0). */
    public ProcessStats(int eventLoops, int connections, int maxConnections, int tunnels, long acceptErrors,
                        int buffersInUse, int buffersIdle, long buffersCreated, int bufferSize,
                        double busyRatio, double busiestLoopRatio, int liveLoops, long faults,
                        MemoryStats memory, KernelListenStats kernel) {
        this(eventLoops, connections, maxConnections, tunnels, acceptErrors, buffersInUse, buffersIdle, buffersCreated,
                bufferSize, busyRatio, busiestLoopRatio, liveLoops, faults, memory, kernel, connections,
                BuildInfo.current(), 0);
    }
}
