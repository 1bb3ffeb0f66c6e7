package lb.core.stats.http;

import java.net.InetSocketAddress;

import lb.core.LoadBalancer;

/**
 * A running HTTP endpoint for a load balancer's stats, on a small HTTP/1.1 server of its own
 * ({@link StatsServer}: one thread, one selector, never the event loops):
 *
 * <pre>
 * /             an HTML page for people, reloading itself
 * /metrics      Prometheus text exposition format
 * /stats.json   JSON
 * </pre>
 *
 * <pre>{@code
 * StatsEndpoint stats = StatsEndpoint.serve(lb).port(8404).basicAuth("ops", secret).start();
 * }</pre>
 *
 * Bound to loopback unless told otherwise. Each request takes a fresh snapshot. A slow or
 * silent client costs one connection until its deadline, never another client's answer; see
 * {@link #refusals()}. Thread-safe; {@link #close()} it when done.
 */
public final class StatsEndpoint implements AutoCloseable {
    private final StatsServer server;

    StatsEndpoint(StatsServer server) {
        this.server = server;
    }

    /** Describes an endpoint for {@code loadBalancer}; {@link StatsEndpointBuilder#start()} starts it. */
    public static StatsEndpointBuilder serve(LoadBalancer loadBalancer) {
        return new StatsEndpointBuilder(loadBalancer);
    }

    /** The address actually bound, with the real port. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** Connections and requests turned away or cut off since the start, by reason. */
    public StatsEndpointRefusals refusals() {
        return new StatsEndpointRefusals(
                server.refusals(StatsServer.Refusal.OVER_LIMIT),
                server.refusals(StatsServer.Refusal.READ_HEADER_TIMEOUT),
                server.refusals(StatsServer.Refusal.WRITE_TIMEOUT),
                server.refusals(StatsServer.Refusal.MALFORMED),
                server.refusals(StatsServer.Refusal.UNAUTHORIZED));
    }

    /**
     * Stops at once: open connections are cut, and the port and the thread are released
     * before this returns.
     */
    @Override
    public void close() {
        server.close();
    }
}
