package lb.core;

import java.net.InetSocketAddress;
import java.util.List;

import lb.core.limit.ConnectionLimit;

/**
 * A named set of listening addresses feeding one backend, with its client-side limits and
 * timeouts and optional {@link KeyExtractor}. Built by {@link FrontendBuilder}; immutable but
 * for the addresses actually bound, known once the load balancer has started.
 */
public final class Frontend {
    private final String name;
    private final List<InetSocketAddress> listen;
    private final int backlog;
    private final ConnectionLimit limit;
    private final long clientTimeoutNs;
    private final long halfCloseTimeoutNs;
    private final boolean tcpKeepAlive;
    private final KeyExtractor keyExtractor;
    private final long inspectDelayNs;
    private final int inspectMaxBytes;
    private final Backend backend;
    private volatile List<InetSocketAddress> bound = List.of();

    Frontend(FrontendBuilder b, Backend backend) {
        this.name = b.name;
        this.listen = List.copyOf(b.listen);
        this.backlog = b.backlog;
        this.limit = new ConnectionLimit("frontend " + b.name, b.maxConnections);
        this.clientTimeoutNs = b.clientTimeout.toNanos();
        this.halfCloseTimeoutNs = b.halfCloseTimeout.toNanos();
        this.tcpKeepAlive = b.tcpKeepAlive;
        this.keyExtractor = b.keyExtractor;
        this.inspectDelayNs = b.inspectDelay.toNanos();
        this.inspectMaxBytes = b.inspectMaxBytes;
        this.backend = backend;
    }

    public String name() {
        return name;
    }

    /** The configured addresses (port 0 means any free port). */
    public List<InetSocketAddress> listenAddresses() {
        return listen;
    }

    /** The addresses actually bound, with real ports; empty before start. */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
    }

    void bound(List<InetSocketAddress> addresses) {
        this.bound = List.copyOf(addresses);
    }

    public int backlog() {
        return backlog;
    }

    public ConnectionLimit limit() {
        return limit;
    }

    /** Longest silence from the client before the tunnel closes; 0 = none. */
    public long clientTimeoutNs() {
        return clientTimeoutNs;
    }

    /** How long a half-closed tunnel may wait for the other side to finish. */
    public long halfCloseTimeoutNs() {
        return halfCloseTimeoutNs;
    }

    public boolean tcpKeepAlive() {
        return tcpKeepAlive;
    }

    /** The extractor, or null when clients are routed without inspection. */
    public KeyExtractor keyExtractor() {
        return keyExtractor;
    }

    public long inspectDelayNs() {
        return inspectDelayNs;
    }

    public int inspectMaxBytes() {
        return inspectMaxBytes;
    }

    public Backend backend() {
        return backend;
    }
}
