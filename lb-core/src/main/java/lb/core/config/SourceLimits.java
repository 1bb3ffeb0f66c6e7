package lb.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits per client source, so one address (or one network of them) cannot take every slot:
 * live connections, and new connections per rate period, per block of addresses. A block is
 * the client address's /{@code ipv4Prefix} or /{@code ipv6Prefix} network (/24 and /64 unless
 * set; /32 and /128 count each address alone). A value: each setter returns a changed copy, and
 * two configurations compare with {@code equals}.
 *
 * <p>Counted when a connection is accepted, before any byte is read, so a silent client holds
 * no more than its block's share; a client behind a trusted PROXY-speaking balancer is counted
 * by the address its header gives, once read. Every new connection counts in the rate, refused
 * ones included, so a client retrying in a tight loop stays refused until it slows down.
 *
 * <p>The counts live in a table of at most {@code capacity} blocks. A block without live
 * connections may leave it once idle for {@code idleExpiry} (never sooner than two rate
 * periods, which its rate still needs); idle blocks are swept out when the table fills. When
 * it is full of blocks with live connections, a new block is let in uncounted (and that is
 * counted): the frontend and global limits still hold, and a flood of sources cannot lock
 * everyone else out.
 *
 * @param maxConnections    live connections per block; 0 = no limit
 * @param maxConnectionRate new connections per block per {@code ratePeriod}; 0 = no limit
 */
public record SourceLimits(int maxConnections, int maxConnectionRate, Duration ratePeriod, int ipv4Prefix,
                           int ipv6Prefix, int capacity, Duration idleExpiry) {
    /** No limit: what a frontend has unless told otherwise. */
    public static final SourceLimits NONE =
            new SourceLimits(0, 0, Duration.ofSeconds(1), 24, 64, 65_536, Duration.ofMinutes(1));

    public SourceLimits {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("per-source maxConnections must be >= 0, was " + maxConnections);
        }
        if (maxConnectionRate < 0 || maxConnectionRate > 65_535) {
            throw new IllegalArgumentException("per-source maxConnectionRate must be 0..65535, was "
                    + maxConnectionRate);
        }
        positive(ratePeriod, "ratePeriod");
        positive(idleExpiry, "idleExpiry");
        if (ipv4Prefix < 0 || ipv4Prefix > 32) {
            throw new IllegalArgumentException("per-source IPv4 prefix must be 0..32, was " + ipv4Prefix);
        }
        if (ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("per-source IPv6 prefix must be 0..128, was " + ipv6Prefix);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("per-source table capacity must be >= 1, was " + capacity);
        }
    }

    /** No limit yet, the default blocks and table: start here and set what applies. */
    public static SourceLimits perSource() {
        return NONE;
    }

    /** At most {@code max} live connections per block; 0 = no limit. */
    public SourceLimits maxConnections(int max) {
        return new SourceLimits(max, maxConnectionRate, ratePeriod, ipv4Prefix, ipv6Prefix, capacity, idleExpiry);
    }

    /** At most {@code count} new connections per block within any {@code period}; 0 = no limit. */
    public SourceLimits maxConnectionRate(int count, Duration period) {
        return new SourceLimits(maxConnections, count, period, ipv4Prefix, ipv6Prefix, capacity, idleExpiry);
    }

    /** The blocks counted together: /{@code ipv4} for IPv4 clients, /{@code ipv6} for IPv6 ones. */
    public SourceLimits prefixes(int ipv4, int ipv6) {
        return new SourceLimits(maxConnections, maxConnectionRate, ratePeriod, ipv4, ipv6, capacity, idleExpiry);
    }

    /** At most {@code blocks} counted at once, each forgotten after {@code idle} without connections. */
    public SourceLimits table(int blocks, Duration idle) {
        return new SourceLimits(maxConnections, maxConnectionRate, ratePeriod, ipv4Prefix, ipv6Prefix, blocks, idle);
    }

    /** Whether any limit is set (without one, nothing is counted). */
    public boolean isEnabled() {
        return maxConnections > 0 || maxConnectionRate > 0;
    }

    private static void positive(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("per-source " + field + " must be > 0, was " + d);
        }
    }
}
