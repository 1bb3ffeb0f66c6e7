package lb.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import lb.core.model.ServerState;
import lb.core.proxy.ProxyFormat;

/**
 * One server as configured: name, resolved address, weight, connection limit, initial state,
 * the source addresses it is reached from, the PROXY header it receives (null for none) and the
 * most new connections it is sent per second (0: no limit), the port its health checks go to (0:
 * the backend check's port, or the server's own). A value: two configurations compare with
 * {@code equals}.
 */
public record ServerSpec(
        String name,
        InetSocketAddress address,
        int weight,
        int maxConnections,
        ServerState state,
        List<SourceRange> sources,
        ProxyFormat sendProxy,
        int maxConnectRate,
        int checkPort) {

    public ServerSpec {
        sources = List.copyOf(sources);
    }

    /** A server checked as its backend's check says. */
    public ServerSpec(String name, InetSocketAddress address, int weight, int maxConnections, ServerState state,
                      List<SourceRange> sources, ProxyFormat sendProxy, int maxConnectRate) {
        this(name, address, weight, maxConnections, state, sources, sendProxy, maxConnectRate, 0);
    }

    /** A server with no connect rate limit. */
    public ServerSpec(String name, InetSocketAddress address, int weight, int maxConnections, ServerState state,
                      List<SourceRange> sources, ProxyFormat sendProxy) {
        this(name, address, weight, maxConnections, state, sources, sendProxy, 0, 0);
    }

    /** Local ports {@code lowPort}..{@code highPort} of {@code address}, managed by the load balancer. */
    public record SourceRange(InetAddress address, int lowPort, int highPort) {
    }
}
