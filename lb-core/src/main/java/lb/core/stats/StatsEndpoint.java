package lb.core.stats;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;

import com.sun.net.httpserver.HttpServer;

import lb.core.LoadBalancer;

/**
 * A running HTTP endpoint for a load balancer's stats, on the JDK's built-in HTTP server and
 * its own threads, never the event loops:
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
 * Bound to loopback unless told otherwise. Each request takes a fresh snapshot. Thread-safe;
 * {@link #close()} it when done, as its server thread keeps the JVM alive.
 */
public final class StatsEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService requests;

    StatsEndpoint(HttpServer server, ExecutorService requests) {
        this.server = server;
        this.requests = requests;
    }

    /** Describes an endpoint for {@code loadBalancer}; {@link StatsEndpointBuilder#start()} starts it. */
    public static StatsEndpointBuilder serve(LoadBalancer loadBalancer) {
        return new StatsEndpointBuilder(loadBalancer);
    }

    /** The address actually bound, with the real port. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening at once; a request being answered is cut off. */
    @Override
    public void close() {
        server.stop(0);
        requests.shutdownNow();
    }
}
