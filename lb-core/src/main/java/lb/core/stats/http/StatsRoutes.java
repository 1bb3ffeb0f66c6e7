package lb.core.stats.http;

import java.time.Duration;

import lb.core.LoadBalancer;
import lb.core.stats.StatsSnapshot;

/**
 * Answers the stats endpoint's requests, on the endpoint's thread: {@code /} the HTML page,
 * {@code /metrics} Prometheus text, {@code /stats.json} JSON. With basic auth on, nothing
 * else is looked at until the credentials match. Other paths get 404, other methods than GET
 * and HEAD 405 with {@code Allow}. The page may load nothing but its inline style. Immutable.
 */
final class StatsRoutes {
    private static final System.Logger LOG = System.getLogger(StatsRoutes.class.getName());
    private static final String PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private enum Route { PAGE, METRICS, JSON }

    private final LoadBalancer loadBalancer;
    private final Duration refresh;
    /** Null when the endpoint is open. */
    private final BasicAuth auth;

    StatsRoutes(LoadBalancer loadBalancer, Duration refresh, BasicAuth auth) {
        this.loadBalancer = loadBalancer;
        this.refresh = refresh;
        this.auth = auth;
    }

    /** The answer to {@code request}; a failure to render is a 500, logged. */
    Response answer(RequestHead request) {
        if (auth != null && !auth.accepts(request.authorization())) {
            return Response.text(401, "unauthorized\n").with("WWW-Authenticate", auth.challenge());
        }
        try {
            return route(request);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "stats_request_failed path=" + request.path(), e);
            return Response.text(500, "internal error\n");
        }
    }

    private Response route(RequestHead request) {
        Route route = switch (request.path()) {
            case "/" -> Route.PAGE;
            case "/metrics" -> Route.METRICS;
            case "/stats.json" -> Route.JSON;
            default -> null;
        };
        if (route == null) {
            return Response.text(404, "not found\n");
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Response.text(405, "method not allowed\n").with("Allow", "GET, HEAD");
        }
        StatsSnapshot snapshot = loadBalancer.stats();
        return switch (route) {
            case PAGE -> Response.of(200, StatsPage.CONTENT_TYPE, StatsPage.render(snapshot, refresh))
                    .with("Content-Security-Policy", PAGE_POLICY)
                    .with("Referrer-Policy", "no-referrer");
            case METRICS -> Response.of(200, PrometheusText.CONTENT_TYPE, PrometheusText.render(snapshot));
            case JSON -> Response.of(200, StatsJson.CONTENT_TYPE, StatsJson.render(snapshot));
        };
    }
}
