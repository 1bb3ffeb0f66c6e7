package lb.core.stats;

/**
 * The connection and byte numbers a frontend, a backend and a server share. Counters
 * ({@code total...}, {@code bytes...}, errors, {@code ends}) only grow while the load balancer
 * runs; rates are per second over the snapshot's {@link StatsSnapshot#intervalNanos() interval},
 * and 0 when it has none.
 *
 * @param connections      live now (for a server, including connects in progress)
 * @param maxConnections   the configured limit; 0 means none
 * @param totalConnections accepted (frontend) or connected to a server (backend, server)
 * @param bytesIn          from clients to servers
 * @param bytesOut         from servers to clients
 * @param connectErrors    failed connect attempts, each retry counted (backend, server)
 * @param retries          connect attempts made again after a failure (backend, server)
 * @param redispatches     last retries sent to another server (backend)
 * @param ends             finished tunnels by termination, rejects grouped
 * @param peakConnections  the most live at once since the start (HAProxy's {@code smax})
 */
public record Traffic(
        long connections,
        long maxConnections,
        long totalConnections,
        double connectionRate,
        long bytesIn,
        long bytesOut,
        double bytesInRate,
        double bytesOutRate,
        long connectErrors,
        long retries,
        long redispatches,
        Terminations ends,
        long peakConnections) {

    /** Traffic whose peak is not known: the live count stands in for it, the least it can be. */
    public Traffic(long connections, long maxConnections, long totalConnections, double connectionRate, long bytesIn,
                   long bytesOut, double bytesInRate, double bytesOutRate, long connectErrors, long retries,
                   long redispatches, Terminations ends) {
        this(connections, maxConnections, totalConnections, connectionRate, bytesIn, bytesOut, bytesInRate,
                bytesOutRate, connectErrors, retries, redispatches, ends, connections);
    }
}
