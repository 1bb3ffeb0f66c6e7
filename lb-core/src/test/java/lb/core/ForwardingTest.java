package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import lb.core.engine.EventLoop;
import lb.core.model.AcceptMode;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

class ForwardingTest {

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void bytesComeBackFromAnEchoServerAndTheEventCountsThem(AcceptMode mode) throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, g -> g.acceptMode(mode), b -> b.server("a", echo.address()), f -> { })) {
            byte[] payload = new byte[300_000];
            new Random(1).nextBytes(payload);
            try (Socket s = Clients.connect(Balancers.address(lb))) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(payload);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                byte[] back = Clients.readExactly(in, payload.length);
                writer.join();
                assertArrayEquals(payload, back);
            }
            TunnelEvent e = log.next();
            assertEquals(Termination.CLIENT_CLOSED, e.termination());
            assertEquals(payload.length, e.bytesFromClient());
            assertEquals(payload.length, e.bytesFromServer());
            assertEquals("f", e.frontend());
            assertEquals("b", e.backend());
            assertEquals("a", e.server());
            assertEquals(1, e.connectAttempts());
            assertTrue(e.connectNs() >= 0 && e.totalNs() >= e.connectNs());
        }
    }

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void clientsAreSpreadOverEveryLoop(AcceptMode mode) throws Exception {
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(null, g -> g.acceptMode(mode), b -> b.server("a", echo.address()), f -> { })) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    clients.add(Clients.connect(Balancers.address(lb)));
                }
                Await.equal(200, Duration.ofSeconds(10), echo::openConnections);
                for (EventLoop loop : EngineAccess.loops(lb).loops()) {
                    assertTrue(loop.load() >= 50, mode + ": loop " + loop.index() + " holds " + loop.load());
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }
}
