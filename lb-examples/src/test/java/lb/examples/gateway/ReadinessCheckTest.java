package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.examples.broker.FakeBroker;

/**
 * Brokers checked over HTTP on a readiness port of their own, as EMQX's availability check:
 * a broker whose endpoint answers 503 (being evacuated) is taken out and gets no clients.
 */
class ReadinessCheckTest {
    private static final String PATH = "/api/v5/load_rebalance/availability_check";

    @TempDir
    Path dir;

    /** A readiness endpoint answering {@code status} on {@link #PATH}; counts the requests. */
    private static HttpServer endpoint(int status, AtomicInteger requests) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext(PATH, exchange -> {
            requests.incrementAndGet();
            byte[] body = (status == 200 ? "ok" : "evacuating").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        return s;
    }

    @Test
    void aBrokerWhoseReadinessEndpointAnswers503GetsNoClients() throws Exception {
        AtomicInteger readyChecks = new AtomicInteger();
        AtomicInteger busyChecks = new AtomicInteger();
        HttpServer readyHealth = endpoint(200, readyChecks);
        HttpServer busyHealth = endpoint(503, busyChecks);
        try (FakeBroker ready = new FakeBroker("ready").start(); FakeBroker busy = new FakeBroker("busy").start()) {
            Path file = dir.resolve("gateway.conf");
            Files.writeString(file, """
                    global
                        event-loops 1
                        no-stats
                    backend brokers
                        health http GET %s
                        health-expect-status 2xx
                        health-interval 2s
                        health-fall 1
                        server ready 127.0.0.1:%d check-port=%d
                        server busy 127.0.0.1:%d check-port=%d
                    frontend mqtt
                        listen 127.0.0.1:0
                    """.formatted(PATH, ready.address().getPort(), readyHealth.getAddress().getPort(),
                    busy.address().getPort(), busyHealth.getAddress().getPort()));
            GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file.toString()});
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
                Server busyServer = lb.backend("brokers").server("busy");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while ((busyServer.isUp() || readyChecks.get() == 0) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals("bad reply: HTTP status 503, expected 2xx", busyServer.healthReason());
                InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
                for (int i = 0; i < 20; i++) {
                    try (WireClient w = new WireClient(front)) {
                        assertEquals(0, w.connect("client-" + i, 4));
                    }
                }
                assertEquals(20, ready.servedClientIds().size());
                assertEquals(0, busy.servedClientIds().size(), "the evacuating broker got no client");
                assertTrue(readyChecks.get() > 0 && busyChecks.get() > 0);
                assertTrue(lb.backend("brokers").server("ready").isUp());
            }
        } finally {
            readyHealth.stop(0);
            busyHealth.stop(0);
        }
    }

    @Test
    void checkConfigDescribesTheHttpCheckAndRefusesKeysThatDoNotFit() throws Exception {
        Path file = dir.resolve("check.conf");
        Files.writeString(file, """
                backend brokers
                    health http GET /ready
                    health-host broker.example
                    health-expect-status 200-204
                    health-expect-body "ok"
                    health-port 8081
                    server a 127.0.0.1:1883
                    server b 127.0.0.1:1884 check-port=9090
                frontend mqtt
                    listen 127.0.0.1:0
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ConfigReport.check(GatewayOptions.parse(new String[] {"--check-config", file.toString()}),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(report.contains("health http GET /ready Host broker.example expecting 200-204 and \"\"ok\"\" on port 8081"),
                report);
        assertTrue(report.contains("server b 127.0.0.1:1884 weight 1 maxconn 0 check-port 9090"), report);

        Files.writeString(file, "backend brokers\n    health tcp\n    health-expect-body ok\n    server a 127.0.0.1:1883\n"
                + "frontend mqtt\n    listen 127.0.0.1:0\n");
        UsageException mismatch = assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--config", file.toString()}));
        assertTrue(mismatch.getMessage().contains("health-expect-body need health http"), mismatch.getMessage());

        UsageException path = assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1883", "--health", "http GET ready"}));
        assertTrue(path.getMessage().startsWith("--health: HTTP check: path must start with /"), path.getMessage());
        UsageException expect = assertThrows(UsageException.class, () -> GatewayOptions.parse(
                new String[] {"--server", "a=127.0.0.1:1883", "--health", "http", "--health-expect-status", "2x"}));
        assertTrue(expect.getMessage().startsWith("--health-expect-status: HTTP check: expected status must be like"),
                expect.getMessage());
        UsageException flags = assertThrows(UsageException.class, () -> GatewayOptions.parse(
                new String[] {"--server", "a=127.0.0.1:1883", "--health-host", "x"}));
        assertEquals("--health-host, --health-expect-status and --health-expect-body need --health http", flags.getMessage());
        GatewayOptions flat = GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1883,check-port=8081",
                "--health", "http GET /health", "--health-port", "8080"});
        assertEquals("/health", flat.httpCheck().path());
        assertEquals(8080, flat.healthPort);
        assertEquals(8081, flat.servers.get(0).checkPort());
        try (LoadBalancer built = GatewaySetup.builder(flat).build()) {
            lb.core.health.HealthCheck check = built.backend("brokers").healthCheck();
            assertEquals(8080, check.port());
            assertEquals(lb.core.health.HttpCheck.get("/health"), check.http());
            assertTrue(check.tls());
        }
        GatewayOptions plain = GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1883", "--health-no-tls"});
        try (LoadBalancer built = GatewaySetup.builder(plain).build()) {
            assertFalse(built.backend("brokers").healthCheck().tls());
        }
    }
}
