package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import lb.core.LoadBalancer;
import lb.core.testing.Balancers;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.FakeServer;
import lb.core.testing.JsonSyntax;

/** The HTTP side: what each path answers, methods, authentication and where it listens. */
class StatsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static FakeServer upstream;
    private static LoadBalancer lb;

    @BeforeAll
    static void startBalancer() {
        upstream = FakeServer.echo("echo");
        lb = Balancers.start(null, b -> b.server("echo-1", upstream.address()));
    }

    @AfterAll
    static void stopBalancer() {
        lb.close();
        upstream.close();
    }

    @Test
    void listensOnLoopbackUnlessToldOtherwise() {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            InetSocketAddress bound = stats.address();
            assertEquals("127.0.0.1", bound.getAddress().getHostAddress());
            assertTrue(bound.getPort() > 0);
            Optional<InetAddress> other = nonLoopbackAddress();
            assumeTrue(other.isPresent(), "this machine has no other address to try");
            assertThrows(IOException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other.get(), bound.getPort()), 2_000);
                }
            }, "not reachable on " + other.get());
        }
    }

    @Test
    void servesMetricsJsonAndThePage() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            HttpResponse<String> metrics = get(stats, "/metrics", null);
            assertEquals(200, metrics.statusCode());
            assertEquals(PrometheusText.CONTENT_TYPE, contentType(metrics));
            assertTrue(ExpositionFormat.parse(metrics.body()).containsKey("lb_frontend_connections_total"));

            HttpResponse<String> json = get(stats, "/stats.json", null);
            assertEquals(200, json.statusCode());
            assertEquals(StatsJson.CONTENT_TYPE, contentType(json));
            Map<String, Object> root = JsonSyntax.object(JsonSyntax.parse(json.body()));
            assertEquals(2.0, JsonSyntax.object(root.get("process")).get("eventLoops"));

            HttpResponse<String> page = get(stats, "/", null);
            assertEquals(200, page.statusCode());
            assertEquals(StatsPage.CONTENT_TYPE, contentType(page));
            assertTrue(page.body().contains("data-server=\"echo-1\""));
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
            assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(""));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/metrics/", "/stats", "/favicon.ico", "/stats.json/x"})
    void unknownPathsAreNotFound(String path) throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            HttpResponse<String> r = get(stats, path, null);
            assertEquals(404, r.statusCode());
            assertFalse(r.body().contains("lb_"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    void onlyGetAndHeadAreAllowed(String method) throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            HttpResponse<String> r = HTTP.send(request(stats, "/metrics", null)
                    .method(method, HttpRequest.BodyPublishers.ofString("x")).build(), body());
            assertEquals(405, r.statusCode());
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""));
            assertFalse(r.body().contains("lb_"));
        }
    }

    @Test
    void headAnswersWithoutABody() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            HttpResponse<String> r = HTTP.send(request(stats, "/metrics", null)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), body());
            assertEquals(200, r.statusCode());
            assertEquals(PrometheusText.CONTENT_TYPE, contentType(r));
            assertEquals("", r.body());
        }
    }

    @Test
    void missingOrWrongCredentialsGet401AndNoData() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).basicAuth("ops", "s3cret \u00e9").start()) {
            for (String path : new String[] {"/", "/metrics", "/stats.json", "/nope"}) {
                for (String credentials : new String[] {null, "ops:wrong", "Ops:s3cret \u00e9", "ops:", ":"}) {
                    HttpResponse<String> r = get(stats, path, credentials);
                    assertEquals(401, r.statusCode(), path + " with " + credentials);
                    assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="),
                            "challenge on " + path);
                    assertFalse(r.body().contains("lb_") || r.body().contains("echo-1"), "no data on " + path);
                }
            }
            assertEquals(200, get(stats, "/metrics", "ops:s3cret \u00e9").statusCode());
            assertEquals(404, get(stats, "/nope", "ops:s3cret \u00e9").statusCode());
        }
    }

    @Test
    void closingStopsListening() {
        StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start();
        InetSocketAddress bound = stats.address();
        stats.close();
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(bound, 2_000);
            }
        });
    }

    @Test
    void builderRefusesBadSettings() {
        StatsEndpointBuilder b = StatsEndpoint.serve(lb);
        assertThrows(IllegalArgumentException.class, () -> b.port(70000));
        assertThrows(IllegalArgumentException.class, () -> b.basicAuth("a:b", "pw"));
        assertThrows(IllegalArgumentException.class, () -> b.basicAuth("ops", ""));
        assertThrows(IllegalArgumentException.class, () -> b.refresh(Duration.ofMillis(300)));
    }

    private static HttpResponse<String> get(StatsEndpoint stats, String path, String credentials) throws Exception {
        return HTTP.send(request(stats, path, credentials).GET().build(), body());
    }

    private static HttpRequest.Builder request(StatsEndpoint stats, String path, String credentials) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stats.address().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (credentials != null) {
            b.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private static HttpResponse.BodyHandler<String> body() {
        return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
    }

    private static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("");
    }

    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        return Optional.of(a);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
