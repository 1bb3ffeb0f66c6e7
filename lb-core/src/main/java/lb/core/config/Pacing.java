package lb.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the balancer ends many tunnels itself (a server's removal, a shutdown): at most
 * {@code clientsPerSecond} at a time, spread over {@code grace}; those still open when the grace
 * is over end all together. Each ends cleanly where its packets frame (for MQTT, with a
 * DISCONNECT each way), so a fleet reconnects elsewhere at the pace, not all at once.
 *
 * @param grace            how long ending may take; at least 1 ms
 * @param clientsPerSecond the pace; 0 spreads the tunnels open at the start evenly over the grace
 */
public record Pacing(Duration grace, int clientsPerSecond) {
    public Pacing {
        Objects.requireNonNull(grace, "grace");
        if (grace.toMillis() < 1) {
            throw new IllegalArgumentException("pacing grace must be at least 1 ms, was " + grace);
        }
        if (clientsPerSecond < 0) {
            throw new IllegalArgumentException("pacing clientsPerSecond must be >= 0, was " + clientsPerSecond);
        }
    }

    /** The tunnels open now spread evenly over {@code grace}. */
    public static Pacing over(Duration grace) {
        return new Pacing(grace, 0);
    }

    /** {@code clientsPerSecond} at most, all within {@code grace}. */
    public static Pacing of(int clientsPerSecond, Duration grace) {
        return new Pacing(grace, clientsPerSecond);
    }

    /** The pace for {@code count} tunnels: as set, or {@code count} spread over the grace (at least 1 a second). */
    public long clientsPerSecondFor(long count) {
        if (clientsPerSecond > 0) {
            return clientsPerSecond;
        }
        long graceMs = grace.toMillis();
        return Math.max(1, (count * 1000 + graceMs - 1) / graceMs);
    }
}
