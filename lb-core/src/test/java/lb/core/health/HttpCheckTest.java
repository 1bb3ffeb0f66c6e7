package lb.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import lb.core.BackendBuilder;
import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

class HttpCheckTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static HealthCheck check(HttpCheck http) {
        return HealthCheck.http(http).interval(INTERVAL).fastInterval(INTERVAL).timeout(Duration.ofMillis(500))
                .rise(1).fall(1);
    }

    private static Judgement judge(HttpCheck c, String reply) {
        return c.judge(ByteBuffer.wrap(reply.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void aStatusInTheExpectedRangePassesAndOneOutsideFailsNamingIt() {
        HttpCheck ready = HttpCheck.get("/ready");
        assertTrue(judge(ready, "HTTP/1.1 200 OK\r\n").isPass());
        assertTrue(judge(ready, "HTTP/1.0 204\r\n").isPass(), "a status line may have no reason phrase");
        assertEquals("HTTP status 503, expected 2xx", judge(ready, "HTTP/1.1 503 Service Unavailable\r\n").reason());
        assertEquals("HTTP status 200, expected 301-302",
                judge(ready.expectStatus("301-302"), "HTTP/1.1 200 OK\r\n").reason());
        assertTrue(judge(ready.expectStatus("503"), "HTTP/1.1 503 x\r\n").isPass());
    }

    @Test
    void aReplyFedOneByteAtATimeNeedsMoreUntilTheStatusIsKnown() {
        byte[] reply = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
        HttpCheck c = HttpCheck.get("/");
        for (int n = 0; n < 13; n++) {
            assertTrue(c.judge(ByteBuffer.wrap(reply, 0, n)).isNeedMore(), "after " + n + " bytes");
        }
        assertTrue(c.judge(ByteBuffer.wrap(reply, 0, 13)).isPass());
    }

    @Test
    void aReplyThatIsNotHttpFailsAsMalformedAtItsFirstWrongByte() {
        HttpCheck c = HttpCheck.get("/");
        assertEquals("malformed reply: not an HTTP/1.x status line", judge(c, "SSH").reason());
        assertEquals("malformed reply: not an HTTP/1.x status line", judge(c, "HTTP/2 200 OK\r\n").reason());
        assertEquals("malformed reply: bad HTTP status line", judge(c, "HTTP/1.1 2x0 OK\r\n").reason());
        assertEquals("malformed reply: bad HTTP status line", judge(c, "HTTP/1.1 20000 OK\r\n").reason());
    }

    @Test
    void anExpectedBodyTextMustBeInTheBody() {
        HttpCheck c = HttpCheck.get("/").expectBody("\"ready\":true");
        assertTrue(judge(c, HttpStub.response(200, "{\"ready\":true}")).isPass());
        assertTrue(judge(c, "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"rea").isNeedMore());
        assertEquals("HTTP status 200 but the body lacks \"\"ready\":true\"",
                judge(c, HttpStub.response(200, "{\"ready\":false}")).reason(), "the whole body came without it");
        ByteBuffer noLength = ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\nnope".getBytes(StandardCharsets.US_ASCII));
        assertTrue(c.judge(noLength).isNeedMore(), "no length: the end of the stream tells");
        assertEquals("HTTP status 200 but the body lacks \"\"ready\":true\"", c.judgeAtEnd(noLength).reason());
        assertTrue(c.judgeAtEnd(ByteBuffer.wrap(new byte[] {'H'})).isNeedMore(), "short of a verdict: the probe fails it");
    }

    @Test
    void theRequestIsAGetWithAHostHeaderAndTheSettingsAreChecked() {
        String request = new String(HttpCheck.get("/api/v5/load_rebalance/availability_check")
                .request(new InetSocketAddress("10.0.0.11", 18083)), StandardCharsets.US_ASCII);
        assertTrue(request.startsWith("GET /api/v5/load_rebalance/availability_check HTTP/1.1\r\nHost: 10.0.0.11:18083\r\n"),
                request);
        assertTrue(request.endsWith("Connection: close\r\n\r\n"), request);
        String named = new String(HttpCheck.get("/").host("broker.example").request(null), StandardCharsets.US_ASCII);
        assertTrue(named.contains("\r\nHost: broker.example\r\n"), named);
        assertEquals("2xx", HttpCheck.get("/").expectedStatus());
        assertEquals("200-399", HttpCheck.get("/").expectStatus("200-399").expectedStatus());
        assertThrows(IllegalArgumentException.class, () -> HttpCheck.get("health"));
        assertThrows(IllegalArgumentException.class, () -> HttpCheck.get("/a b"));
        assertThrows(IllegalArgumentException.class, () -> HttpCheck.get("/").expectStatus("2x"));
        assertThrows(IllegalArgumentException.class, () -> HttpCheck.get("/").expectStatus("600"));
        assertThrows(IllegalArgumentException.class, () -> HttpCheck.get("/").host("a\r\nX: y"));
    }

    @Test
    void checksWithOtherHttpSettingsOrPortAreNotEqual() {
        HealthCheck base = HealthCheck.http(HttpCheck.get("/ready"));
        assertEquals(base, HealthCheck.http(HttpCheck.get("/ready")));
        assertEquals(base.hashCode(), HealthCheck.http(HttpCheck.get("/ready")).hashCode());
        assertNotEquals(base, HealthCheck.http(HttpCheck.get("/ready").expectStatus("200")));
        assertNotEquals(base, HealthCheck.http(HttpCheck.get("/ready").expectBody("ok")));
        assertNotEquals(base, HealthCheck.http(HttpCheck.get("/ready").host("x")));
        assertNotEquals(base, HealthCheck.http(HttpCheck.get("/live")));
        assertNotEquals(base, base.port(8081));
        assertEquals(8081, base.port(8081).port());
        assertNotEquals(HealthCheck.tcp(), HealthCheck.tcp().port(8081));
        assertNotEquals(base, base.tls(false));
        assertEquals(base, base.tls(false).tls(true));
        assertThrows(IllegalArgumentException.class, () -> base.port(65536));
    }

    @Test
    void aServerWhoseReadinessEndpointAnswers200StaysUpAnd503TakesItDown() throws Exception {
        try (FakeServer ready = FakeServer.start("ready", FakeServer.Mode.TAG);
             FakeServer busy = FakeServer.start("busy", FakeServer.Mode.TAG);
             HttpStub readyHealth = HttpStub.status(200, "ok");
             HttpStub busyHealth = HttpStub.status(503, "evacuating");
             LoadBalancer lb = start(b -> b
                     .server("ready", ready.address(), o -> o.checkPort(readyHealth.port()))
                     .server("busy", busy.address(), o -> o.checkPort(busyHealth.port()))
                     .healthCheck(check(HttpCheck.get("/ready"))))) {
            Server busyServer = lb.backend("b").server("busy");
            Await.until("the server answering 503 marked down", WAIT, () -> !busyServer.isUp());
            assertEquals("bad reply: HTTP status 503, expected 2xx", busyServer.healthReason());
            Await.until("three checks of the ready server", WAIT, () -> readyHealth.requests() >= 3);
            assertTrue(lb.backend("b").server("ready").isUp(), lb.backend("b").server("ready").healthReason());
            assertTrue(readyHealth.lastRequest().startsWith("GET /ready HTTP/1.1\r\nHost: 127.0.0.1:" + readyHealth.port()),
                    readyHealth.lastRequest());
            for (int i = 0; i < 4; i++) {
                try (var c = Clients.connect(Balancers.address(lb))) {
                    assertEquals("ready", Clients.readLine(c.getInputStream()), "clients only reach the ready server");
                }
            }
            busyHealth.answer(200, "back");
            Await.until("the server back up once it answers 200", WAIT, busyServer::isUp);
            assertEquals("1 check passed", busyServer.healthReason());
        }
    }

    @Test
    void theCheckGoesToTheChecksPortNotTheTrafficPort() throws Exception {
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             HttpStub health = HttpStub.status(503, "no");
             LoadBalancer lb = start(b -> b.server("s", traffic.address())
                     .healthCheck(check(HttpCheck.get("/health")).port(health.port())))) {
            Server s = lb.backend("b").server("s");
            Await.until("marked down by the readiness port's 503", WAIT, () -> !s.isUp());
            assertTrue(health.requests() >= 1);
            assertEquals(0, traffic.bytesReceived(), "nothing was sent to the traffic port");
        }
    }

    @Test
    void aCheckPortWhereNothingListensFailsAsRefusedNamingThePort() throws Exception {
        int closed = closedPort();
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             LoadBalancer lb = start(b -> b.server("s", traffic.address(), o -> o.checkPort(closed))
                     .healthCheck(check(HttpCheck.get("/health"))))) {
            Server s = lb.backend("b").server("s");
            Await.until("marked down", WAIT, () -> !s.isUp());
            assertEquals("connect refused on port " + closed, s.healthReason());
        }
    }

    @Test
    void anEndpointThatNeverAnswersTimesOut() throws Exception {
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             HttpStub stalled = HttpStub.stalled();
             LoadBalancer lb = start(b -> b.server("s", traffic.address(), o -> o.checkPort(stalled.port()))
                     .healthCheck(check(HttpCheck.get("/health"))))) {
            Server s = lb.backend("b").server("s");
            Await.until("marked down", WAIT, () -> !s.isUp());
            assertEquals("timeout after 500 ms on port " + stalled.port(), s.healthReason());
        }
    }

    @Test
    void aMalformedReplyFails() throws Exception {
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             HttpStub garbage = HttpStub.replying("SSH-2.0-OpenSSH_9.6\r\n");
             LoadBalancer lb = start(b -> b.server("s", traffic.address(), o -> o.checkPort(garbage.port()))
                     .healthCheck(check(HttpCheck.get("/health"))))) {
            Server s = lb.backend("b").server("s");
            Await.until("marked down", WAIT, () -> !s.isUp());
            assertEquals("bad reply: malformed reply: not an HTTP/1.x status line", s.healthReason());
        }
    }

    @Test
    void aReplyTooLargeToFindTheExpectedBodyInFails() throws Exception {
        String huge = "HTTP/1.1 200 OK\r\n" + ("X-Padding: " + "p".repeat(100) + "\r\n").repeat(80) + "\r\nready";
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             HttpStub oversized = HttpStub.replying(huge);
             LoadBalancer lb = start(b -> b.server("s", traffic.address(), o -> o.checkPort(oversized.port()))
                     .healthCheck(check(HttpCheck.get("/health").expectBody("ready"))))) {
            Server s = lb.backend("b").server("s");
            Await.until("marked down", WAIT, () -> !s.isUp());
            assertEquals("bad reply: no verdict within 4096 bytes", s.healthReason());
        }
    }

    @Test
    void aBodyWithoutTheExpectedTextFailsWhenTheServerCloses() throws Exception {
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             HttpStub endpoint = HttpStub.replying("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"state\":\"evacuating\"}");
             LoadBalancer lb = start(b -> b.server("s", traffic.address(), o -> o.checkPort(endpoint.port()))
                     .healthCheck(check(HttpCheck.get("/health").expectBody("running"))))) {
            Server s = lb.backend("b").server("s");
            Await.until("marked down", WAIT, () -> !s.isUp());
            assertEquals("bad reply: HTTP status 200 but the body lacks \"running\"", s.healthReason());
            assertFalse(s.isUsable());
        }
    }

    @Test
    void aBackendThatSpeaksTlsChecksAPlainReadinessPortOnlyWhenToldTo() throws Exception {
        lb.core.tls.UpstreamTlsSettings anyCa = lb.core.tls.UpstreamTlsSettings.trusting(java.util.List.of());
        try (FakeServer traffic = FakeServer.start("traffic", FakeServer.Mode.TAG);
             HttpStub healthForTls = HttpStub.status(200, "ok");
             HttpStub healthForPlain = HttpStub.status(200, "ok");
             LoadBalancer overTls = start(b -> b.server("s", traffic.address(), o -> o.checkPort(healthForTls.port()))
                     .tls(anyCa).healthCheck(check(HttpCheck.get("/health"))));
             LoadBalancer plain = start(b -> b.server("s", traffic.address(), o -> o.checkPort(healthForPlain.port()))
                     .tls(anyCa).healthCheck(check(HttpCheck.get("/health")).tls(false)))) {
            Server s = overTls.backend("b").server("s");
            Await.until("the TLS check of a plain port fails", WAIT, () -> !s.isUp());
            Await.until("three plain checks", WAIT, () -> healthForPlain.requests() >= 3);
            assertTrue(healthForPlain.lastRequest().startsWith("GET /health HTTP/1.1"), healthForPlain.lastRequest());
            assertTrue(plain.backend("b").server("s").isUp(), plain.backend("b").server("s").healthReason());
        }
    }

    private static LoadBalancer start(Consumer<BackendBuilder> backend) {
        return Balancers.start(null, backend);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
