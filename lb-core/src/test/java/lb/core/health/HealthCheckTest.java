package lb.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.model.Termination;
import lb.core.proxy.DecodeResult;
import lb.core.proxy.ProxyFormat;
import lb.core.proxy.ProxyHeader;
import lb.core.proxy.ProxyHeaderDecoder;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

class HealthCheckTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @Test
    void aCheckIsAValueEverySetterReturnsAChangedCopy() {
        HealthCheck base = HealthCheck.tcp().interval(Duration.ofSeconds(5));
        HealthCheck faster = base.interval(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(5), base.interval(), "the original is unchanged");
        assertEquals(Duration.ofSeconds(1), faster.interval());
        assertEquals(base, HealthCheck.tcp().interval(Duration.ofSeconds(5)), "alike checks are equal");
        assertEquals(base.hashCode(), HealthCheck.tcp().interval(Duration.ofSeconds(5)).hashCode());
        assertFalse(base.equals(faster));
        assertFalse(base.equals(base.rise(5)));
        assertFalse(base.equals(base.sendProxy(ProxyFormat.V1)));
        assertFalse(base.equals(HealthCheck.sendExpect("hello", new byte[] {1}, reply -> Judgement.PASS, null)
                .interval(Duration.ofSeconds(5))));
    }

    @Test
    void aSendExpectCheckPassesOnTheRightReplyAndFailsOnSilence() throws Exception {
        HealthCheck hello = HealthCheck.sendExpect("hello", "hello".getBytes(StandardCharsets.US_ASCII),
                        bytes -> bytes.remaining() < 5 ? Judgement.NEED_MORE
                                : StandardCharsets.US_ASCII.decode(bytes).toString().startsWith("hello")
                                ? Judgement.PASS : Judgement.fail("not hello"),
                        null)
                .interval(INTERVAL).fastInterval(INTERVAL).timeout(INTERVAL).rise(1).fall(2);
        try (FakeServer echo = FakeServer.echo("echo");
             FakeServer silent = FakeServer.start("silent", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(null,
                     b -> b.server("echo", echo.address()).server("silent", silent.address()).healthCheck(hello))) {
            Server silentServer = lb.backend("b").server("silent");
            Await.until("silent server marked down", Duration.ofSeconds(5), () -> !silentServer.isUp());
            assertTrue(silentServer.healthReason().startsWith("timeout"), silentServer.healthReason());
            long before = echo.bytesReceived();
            Await.until("three more checks of the echoing server", Duration.ofSeconds(10),
                    () -> echo.bytesReceived() >= before + 3 * "hello".length());
            assertTrue(lb.backend("b").server("echo").isUp(), "the echoing server passes");
        }
    }

    @Test
    void passiveObservationMarksAServerDownBeforeTheNextCheck() throws Exception {
        EventLog log = new EventLog();
        InetSocketAddress dead = freePort();
        HealthCheck slowChecks = HealthCheck.tcp().interval(Duration.ofSeconds(30)).observeFailedConnects(2);
        try (FakeServer alive = FakeServer.start("alive", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(log, g -> g.eventLoops(1),
                     b -> b.server("dead", dead).server("alive", alive.address()).retries(0).healthCheck(slowChecks),
                     f -> { })) {
            Server deadServer = lb.backend("b").server("dead");
            for (int i = 0; i < 4 && deadServer.isUp(); i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.getInputStream().read();
                }
            }
            Await.until("dead server marked down", Duration.ofSeconds(2), () -> !deadServer.isUp());
            assertEquals("2 tunnel connects failed in a row", deadServer.healthReason());
            for (int i = 0; i < 5; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    assertEquals("alive", Clients.readLine(c.getInputStream()));
                }
            }
        }
    }

    @Test
    void closingTunnelsOnDownSendsClientsAwayAtOnce() throws Exception {
        EventLog log = new EventLog();
        HealthCheck check = HealthCheck.tcp().interval(Duration.ofSeconds(30)).closeTunnelsOnDown(true);
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, b -> b.server("a", a.address()).healthCheck(check));
             Socket c = Clients.connect(Balancers.address(lb))) {
            Await.equal(1, Duration.ofSeconds(5), a::openConnections);
            Server server = lb.backend("b").server("a");
            lb.backend("b").forceHealth(server, false, "forced by test");
            assertEquals(Termination.SERVER_DOWN, log.next().termination());
            assertEquals(-1, c.getInputStream().read());
            assertFalse(server.isUsable());
        }
    }

    @Test
    void checksCanStartWithAProxyHeaderOfCommandLocal() throws Exception {
        HealthCheck check = HealthCheck.tcp().interval(INTERVAL).sendProxy(ProxyFormat.V2);
        try (ServerSocket server = new ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(null,
                     b -> b.server("s", (InetSocketAddress) server.getLocalSocketAddress()).healthCheck(check))) {
            server.setSoTimeout(5_000);
            try (Socket probe = server.accept()) {
                probe.setSoTimeout(5_000);
                byte[] header = Clients.readExactly(probe.getInputStream(), 16);
                DecodeResult r = new ProxyHeaderDecoder()
                        .decode(java.nio.ByteBuffer.wrap(header));
                assertTrue(r.isDecoded(), r.toString());
                assertEquals(ProxyHeader.Kind.LOCAL, r.header().kind());
            }
        }
    }

    private static InetSocketAddress freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
    }

}
