package lb.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a backend evens out its clients after servers were added (or came back): when any
 * server's share strays from its weighted share by more than {@code tolerance}, clients of the
 * servers above their share are moved, {@code clientsPerSecond} at a time, until each is at
 * its share; each moved client is ended cleanly (for MQTT 5.0: DISCONNECT "use another server")
 * and its stick-table entry re-pointed to a server below its share, where it lands when it
 * reconnects. Moving stops after {@code limit} whatever is left.
 *
 * @param tolerance        how far (a fraction of its share, e.g. 0.1) a server may be from its
 *                         weighted share of the clients before the backend is rebalanced
 * @param clientsPerSecond the pace, above 0
 * @param limit            the longest the moving may take
 */
public record Rebalance(double tolerance, int clientsPerSecond, Duration limit) {
    public Rebalance {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("rebalance tolerance must be within [0, 1), was " + tolerance);
        }
        if (clientsPerSecond < 1) {
            throw new IllegalArgumentException("rebalance clientsPerSecond must be >= 1, was " + clientsPerSecond);
        }
        Objects.requireNonNull(limit, "limit");
        if (limit.toMillis() < 1) {
            throw new IllegalArgumentException("rebalance limit must be at least 1 ms, was " + limit);
        }
    }

    /** Within {@code tolerance}, at {@code clientsPerSecond}, for at most ten minutes. */
    public static Rebalance of(double tolerance, int clientsPerSecond) {
        return new Rebalance(tolerance, clientsPerSecond, Duration.ofMinutes(10));
    }
}
