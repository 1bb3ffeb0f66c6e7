package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.model.Verdict;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.ManualClock;

/** Every timeout fires, and says which one it was. */
class TimeoutsTest {
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void aSilentClientIsClosedWithClientTimeout() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.start("s", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", server.address()).serverTimeout(LONG),
                     f -> f.clientTimeout(SHORT));
             Socket client = Clients.connect(Balancers.address(lb))) {
            TunnelEvent e = log.next();
            assertEquals(Termination.CLIENT_TIMEOUT, e.termination());
            assertTrue(e.totalNs() >= SHORT.toNanos(), "closed after " + e.totalNs() + " ns");
            assertEquals(-1, client.getInputStream().read(), "the client sees the close");
        }
    }

    @Test
    void activityKeepsATunnelOpenPastItsIdleTimeout() throws Exception {
        // On a manual clock each round trip happens at one instant and the clock then moves half
        // a timeout, so the tunnel is never idle for a whole timeout however slow the machine;
        // a loop notices each move within a timer tick.
        EventLog log = new EventLog();
        ManualClock clock = new ManualClock();
        try (FakeServer server = FakeServer.echo("s");
             LoadBalancer lb = Balancers.start(log, g -> g.clock(clock),
                     b -> b.server("s", server.address()).serverTimeout(SHORT), f -> f.clientTimeout(SHORT));
             Socket client = Clients.connect(Balancers.address(lb))) {
            int rounds = 10;
            for (int i = 0; i < rounds; i++) {
                client.getOutputStream().write('x');
                assertEquals('x', client.getInputStream().read(), "round " + i);
                clock.advance(SHORT.dividedBy(2));
            }
            assertEquals(0, log.size(), "no timeout while bytes flow every half timeout");
            // Past the deadline by more than a timer tick: the wheel sweeps a tick once it is over.
            clock.advance(SHORT);
            TunnelEvent e = log.next();
            assertEquals(Termination.CLIENT_TIMEOUT, e.termination());
            long lastByteNs = SHORT.dividedBy(2).multipliedBy(rounds - 1).toNanos();
            assertTrue(e.totalNs() >= lastByteNs + SHORT.toNanos(), "open for " + e.totalNs() + " ns: "
                    + "closed no sooner than one timeout after the last byte");
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void aSilentServerIsClosedWithServerTimeout() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.start("s", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", server.address()).serverTimeout(SHORT),
                     f -> f.clientTimeout(LONG));
             Socket client = Clients.connect(Balancers.address(lb))) {
            assertEquals(Termination.SERVER_TIMEOUT, log.next().termination());
        }
    }

    @Test
    void aClientThatNeverCompletesItsFirstBytesIsClosedWithInspectTimeout() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.echo("s");
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", server.address()),
                     f -> f.keyExtractor(bytes -> Verdict.NEED_MORE).inspectDelay(SHORT));
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.getOutputStream().write(Clients.ascii("partial"));
            TunnelEvent e = log.next();
            assertEquals(Termination.INSPECT_TIMEOUT, e.termination());
            assertEquals(0, server.accepted(), "an uninspected client never reaches a server");
        }
    }

    @Test
    void aServerThatDoesNotAnswerTheHandshakeIsAConnectTimeout() throws Exception {
        EventLog log = new EventLog();
        try (ServerSocketChannel blackhole = ServerSocketChannel.open()) {
            // A listener that never accepts, with its one-slot backlog filled: further SYNs are
            // dropped. Connects complete while the accept queue has room; the first one that does
            // not within half a second (a loopback handshake takes microseconds) found it full.
            blackhole.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<Socket> fillers = new ArrayList<>();
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket filler = new Socket();
                fillers.add(filler);
                try {
                    filler.connect(blackhole.getLocalAddress(), 500);
                } catch (SocketTimeoutException e) {
                    full = true;
                }
            }
            assertTrue(full, "the accept queue never filled");
            InetSocketAddress target = (InetSocketAddress) blackhole.getLocalAddress();
            try (LoadBalancer lb = Balancers.start(log,
                    b -> b.server("s", target).connectTimeout(SHORT).retries(0));
                 Socket client = Clients.connect(Balancers.address(lb))) {
                TunnelEvent e = log.next();
                assertEquals(Termination.CONNECT_TIMEOUT, e.termination());
                assertEquals(1, e.connectAttempts());
            } finally {
                for (Socket c : fillers) {
                    closeQuietly(c);
                }
            }
        }
    }

    @Test
    void aTunnelWaitingForAFullServerIsClosedWithQueueTimeout() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.echo("s");
             LoadBalancer lb = Balancers.start(log,
                     b -> b.server("s", server.address(), o -> o.maxConnections(1)).queueTimeout(SHORT));
             Socket first = Clients.connect(Balancers.address(lb));
             Socket second = Clients.connect(Balancers.address(lb))) {
            TunnelEvent e = log.next();
            assertEquals(Termination.QUEUE_TIMEOUT, e.termination());
            assertTrue(e.queueNs() >= SHORT.toNanos(), "queued for " + e.queueNs() + " ns");
            assertEquals(1, server.accepted());
            first.getOutputStream().write('k');
            assertEquals('k', first.getInputStream().read(), "the tunnel holding the slot still works");
        }
    }

    @Test
    void aHalfClosedTunnelWhoseServerNeverFinishesIsClosedWithHalfCloseTimeout() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.start("s", FakeServer.Mode.STALLED);
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", server.address()),
                     f -> f.halfCloseTimeout(SHORT));
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.shutdownOutput();
            assertEquals(Termination.HALF_CLOSE_TIMEOUT, log.next().termination());
        }
    }

    @Test
    void timedOutTunnelsGiveBackTheirSlotsAndBuffers() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.start("s", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", server.address()),
                     f -> f.clientTimeout(SHORT).maxConnections(5))) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                clients.add(Clients.connect(Balancers.address(lb)));
            }
            log.take(5, Duration.ofSeconds(10));
            assertEquals(0, lb.frontend("f").connections());
            assertEquals(0, lb.backend("b").server("s").connections());
            assertEquals(0, EngineAccess.loops(lb).buffersInUse());
            for (Socket c : clients) {
                closeQuietly(c);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // test cleanup
        }
    }

}
