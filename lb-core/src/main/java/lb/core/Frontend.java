package lb.core;

import java.net.InetSocketAddress;
import java.util.List;

import lb.core.limit.ConnectionLimit;

/**
 * A named set of listening addresses feeding one backend, with its client-side limits and
 * timeouts and optional {@link KeyExtractor}. Built by {@link FrontendBuilder}; thread-safe:
 * the policy is an immutable value swapped whole on reconfiguration, the addresses are those
 * actually bound, known once the load balancer has started.
 */
public final class Frontend {
    private final String name;
    private final int index;
    private final ConnectionLimit limit;
    private final int backlog;
    private volatile List<InetSocketAddress> listen;
    private volatile FrontendPolicy policy;
    private volatile List<InetSocketAddress> bound = List.of();

    Frontend(FrontendBuilder b, Backend backend, int index) {
        this.name = b.name;
        this.index = index;
        this.listen = List.copyOf(b.listen);
        this.backlog = b.backlog;
        this.limit = new ConnectionLimit("frontend " + b.name, b.maxConnections);
        this.policy = new FrontendPolicy(b, backend);
    }

    public String name() {
        return name;
    }

    /** Where this frontend's counters sit in each loop's counter arrays; never reused. */
    public int index() {
        return index;
    }

    /** The configured addresses (port 0 means any free port). */
    public List<InetSocketAddress> listenAddresses() {
        return listen;
    }

    void listenAddresses(List<InetSocketAddress> addresses) {
        this.listen = List.copyOf(addresses);
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

    public FrontendPolicy policy() {
        return policy;
    }

    void policy(FrontendPolicy next) {
        this.policy = next;
    }

    /** Longest silence from the client before the tunnel closes; 0 = none. */
    public long clientTimeoutNs() {
        return policy.clientTimeoutNs();
    }

    /** How long a half-closed tunnel may wait for the other side to finish. */
    public long halfCloseTimeoutNs() {
        return policy.halfCloseTimeoutNs();
    }

    public boolean tcpKeepAlive() {
        return policy.tcpKeepAlive();
    }

    /** The extractor, or null when clients are routed without inspection. */
    public KeyExtractor keyExtractor() {
        return policy.keyExtractor();
    }

    public long inspectDelayNs() {
        return policy.inspectDelayNs();
    }

    public int inspectMaxBytes() {
        return policy.inspectMaxBytes();
    }

    /** True if every connection must start with a PROXY protocol header. */
    public boolean acceptProxy() {
        return policy.acceptProxy();
    }

    /** Connections per stick-table rate period a key may make; 0 = no limit. */
    public int maxKeyConnectionRate() {
        return policy.maxKeyConnectionRate();
    }

    public Backend backend() {
        return policy.backend();
    }
}
