package lb.core.stats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import lb.core.LoadBalancer;

/**
 * Answers the stats endpoint's requests, on the endpoint's own thread: {@code /} the HTML page,
 * {@code /metrics} Prometheus text, {@code /stats.json} JSON. Other paths get 404, other
 * methods than GET and HEAD 405 with {@code Allow}. Every answer is marked not to be cached or
 * sniffed; the page may load nothing but its inline style. Thread-safe.
 */
final class StatsRoutes implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(StatsRoutes.class.getName());
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private enum Route { PAGE, METRICS, JSON }

    private final LoadBalancer loadBalancer;
    private final Duration refresh;

    StatsRoutes(LoadBalancer loadBalancer, Duration refresh) {
        this.loadBalancer = loadBalancer;
        this.refresh = refresh;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "stats_request_failed path=" + exchange.getRequestURI().getPath(), e);
            if (exchange.getResponseCode() < 0) {
                respond(exchange, 500, TEXT, "internal error\n");
            }
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        Route route = switch (exchange.getRequestURI().getPath()) {
            case "/" -> Route.PAGE;
            case "/metrics" -> Route.METRICS;
            case "/stats.json" -> Route.JSON;
            default -> null;
        };
        if (route == null) {
            respond(exchange, 404, TEXT, "not found\n");
            return;
        }
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, TEXT, "method not allowed\n");
            return;
        }
        StatsSnapshot snapshot = loadBalancer.stats();
        switch (route) {
            case PAGE -> {
                exchange.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
                exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
                respond(exchange, 200, StatsPage.CONTENT_TYPE, StatsPage.render(snapshot, refresh));
            }
            case METRICS -> respond(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(snapshot));
            case JSON -> respond(exchange, 200, StatsJson.CONTENT_TYPE, StatsJson.render(snapshot));
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", contentType);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(bytes);
            }
        }
    }
}
