package lb.examples.gateway;

import java.io.PrintStream;
import java.io.UncheckedIOException;

import lb.core.LoadBalancer;
import lb.core.stats.http.StatsEndpoint;
import lb.core.stats.http.StatsEndpointBuilder;

/** Starts the statistics endpoint the options ask for; a busy port is a warning, not a failure. */
final class StatsServer {
    private StatsServer() {
    }

    /** The running endpoint, or null when disabled or its port was busy (said on {@code err}). */
    static StatsEndpoint start(LoadBalancer lb, GatewayOptions o, PrintStream err) {
        if (!o.statsEnabled) {
            return null;
        }
        StatsEndpointBuilder b = StatsEndpoint.serve(lb).address(o.stats);
        if (o.statsUser != null) {
            b.basicAuth(o.statsUser, o.statsPassword);
        }
        try {
            return b.start();
        } catch (UncheckedIOException | IllegalStateException e) {
            err.println("mqtt-gateway: statistics not served on " + o.stats + ": " + e.getMessage());
            return null;
        }
    }
}
