package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import lb.core.limit.BackendQueue;
import lb.core.model.KeyExtractor;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.model.Verdict;
import lb.core.stick.LruStickTable;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.FirstLine;

/** Picking, sticking, retrying, queueing and refusing, each with its termination reason. */
class RoutingTest {

    /** Routes by the first line ("key\n"); "bad" is rejected with a reply. */
    private static final KeyExtractor FIRST_LINE = bytes -> {
        String k = FirstLine.key(bytes);
        return k == null ? Verdict.NEED_MORE
                : k.equals("bad") ? Verdict.reject("bad key", ByteBuffer.wrap(Clients.ascii("go away\n")))
                : Verdict.route(k);
    };

    @Test
    void roundRobinSpreadsClientsByWeight() throws Exception {
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             FakeServer b = FakeServer.start("b", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(null, lb1 -> lb1.eventLoops(1),
                     be -> be.server("a", a.address()).server("b", b.address(), o -> o.weight(3)), f -> { })) {
            Map<String, Integer> hits = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    hits.merge(Clients.readLine(c.getInputStream()), 1, Integer::sum);
                }
            }
            assertEquals(Map.of("a", 10, "b", 30), hits);
        }
    }

    @Test
    void inspectedBytesReachTheServerFirstAndTheKeySticks() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             FakeServer b = FakeServer.start("b", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(log,
                     be -> be.server("a", a.address()).server("b", b.address())
                             .stickTable(new LruStickTable(100, Duration.ofMinutes(1), 64)),
                     f -> f.keyExtractor(FIRST_LINE))) {
            String first = null;
            for (int i = 0; i < 6; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.getOutputStream().write(Clients.ascii("client-7\nhello"));
                    InputStream in = c.getInputStream();
                    String tag = Clients.readLine(in);
                    if (first == null) {
                        first = tag;
                    }
                    assertEquals(first, tag, "same key, same server");
                    assertArrayEquals(Clients.ascii("client-7\nhello"), Clients.readExactly(in, 14),
                            "the inspected bytes are replayed, then the rest follows");
                }
                TunnelEvent e = log.next();
                assertEquals("client-7", e.key());
                assertEquals(first, e.server());
            }
        }
    }

    @Test
    void aRejectedClientGetsTheReplyAndNoServerSeesIt() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()), f -> f.keyExtractor(FIRST_LINE));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(Clients.ascii("bad\nmore bytes"));
            assertEquals("go away", Clients.readLine(c.getInputStream()));
            assertEquals(-1, c.getInputStream().read());
            TunnelEvent e = log.next();
            assertEquals(Termination.INSPECT_REJECTED, e.termination());
            assertEquals("bad key", e.detail());
            assertNull(e.server());
            assertEquals(0, a.accepted());
        }
    }

    @Test
    void aClientSendingMoreThanTheInspectCapIsRefused() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()),
                     f -> f.keyExtractor(FIRST_LINE).inspectMaxBytes(40_000));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(new byte[50_000]);
            assertEquals(Termination.INSPECT_TOO_LARGE, log.next().termination());
            assertEquals(0, a.accepted());
            assertEquals(0, EngineAccess.loops(lb).buffersInUse());
        }
    }

    @Test
    void aFailedServerIsRetriedThenTheLastRetryGoesElsewhere() throws Exception {
        EventLog log = new EventLog();
        InetSocketAddress dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
        try (FakeServer alive = FakeServer.start("alive", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(log, lb1 -> lb1.eventLoops(1),
                     be -> be.server("dead", dead).server("alive", alive.address()).retries(2), f -> { })) {
            for (int i = 0; i < 2; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    assertEquals("alive", Clients.readLine(c.getInputStream()));
                }
            }
            TunnelEvent first = log.next();
            TunnelEvent second = log.next();
            TunnelEvent viaDead = first.connectAttempts() > 1 ? first : second;
            assertEquals(3, viaDead.connectAttempts(), "first try, one retry on the same server, then redispatch");
            assertEquals("alive", viaDead.server());
        }
    }

    @Test
    void connectFailureWithoutRedispatchEndsWithConnectFailed() throws Exception {
        EventLog log = new EventLog();
        InetSocketAddress dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = new InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
        try (LoadBalancer lb = Balancers.start(log, be -> be.server("dead", dead).retries(1).redispatch(false));
             Socket c = Clients.connect(Balancers.address(lb))) {
            TunnelEvent e = log.next();
            assertEquals(Termination.CONNECT_FAILED, e.termination());
            assertEquals(2, e.connectAttempts());
            assertTrue(e.detail().startsWith("dead: "), e.detail());
            assertEquals(-1, c.getInputStream().read());
        }
    }

    @Test
    void noUsableServerIsRefusedWithNoServer() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address(), o -> o.state(ServerState.MAINTENANCE)));
             Socket c = Clients.connect(Balancers.address(lb))) {
            assertEquals(Termination.NO_SERVER, log.next().termination());
            lb.backend("b").server("a").state(ServerState.READY);
            try (Socket again = Clients.connect(Balancers.address(lb))) {
                again.getOutputStream().write('z');
                assertEquals('z', again.getInputStream().read(), "back in rotation at once");
            }
        }
    }

    @Test
    void queuedClientsAreServedFirstComeFirstServedAsSlotsFree() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, lb1 -> lb1.eventLoops(1),
                     be -> be.server("a", a.address(), o -> o.maxConnections(1)).maxQueue(10), f -> { })) {
            // One loop queues the clients in the order it accepts them; each is seen queued
            // before the next connects, so that order is the order of arrival.
            BackendQueue queue = EngineAccess.live(lb.backend("b")).queue();
            Socket first = Clients.connect(Balancers.address(lb));
            first.getOutputStream().write('1');
            assertEquals('1', first.getInputStream().read());
            Socket second = Clients.connect(Balancers.address(lb));
            second.getOutputStream().write('2');
            Await.equal(1, Duration.ofSeconds(5), queue::size);
            Socket third = Clients.connect(Balancers.address(lb));
            third.getOutputStream().write('3');
            Await.equal(2, Duration.ofSeconds(5), queue::size);
            first.close();
            assertEquals('2', second.getInputStream().read(), "the first queued goes first");
            assertEquals(1, EngineAccess.live(lb.backend("b")).queue().size());
            second.close();
            assertEquals('3', third.getInputStream().read());
            third.close();
            for (TunnelEvent e : log.take(3, Duration.ofSeconds(5))) {
                assertEquals(Termination.CLIENT_CLOSED, e.termination());
            }
        }
    }

    @Test
    void aFullQueueRefusesWithQueueFull() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address(), o -> o.maxConnections(1)).maxQueue(0));
             Socket first = Clients.connect(Balancers.address(lb));
             Socket second = Clients.connect(Balancers.address(lb))) {
            assertEquals(Termination.QUEUE_FULL, log.next().termination());
            assertEquals(-1, second.getInputStream().read());
        }
    }

    @Test
    void aKeyReconnectingTooFastIsRefusedByTheRateRule() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(log,
                     be -> be.server("a", a.address())
                             .stickTable(new LruStickTable(100, Duration.ofMinutes(1), 64, Duration.ofSeconds(10))),
                     f -> f.keyExtractor(FIRST_LINE).maxKeyConnectionRate(3))) {
            for (int i = 0; i < 3; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.getOutputStream().write(Clients.ascii("looping\n"));
                    assertEquals("a", Clients.readLine(c.getInputStream()));
                }
                assertEquals(Termination.CLIENT_CLOSED, log.next().termination());
            }
            try (Socket c = Clients.connect(Balancers.address(lb))) {
                c.getOutputStream().write(Clients.ascii("looping\n"));
                assertEquals(-1, c.getInputStream().read());
            }
            TunnelEvent refused = log.next();
            assertEquals(Termination.KEY_RATE_LIMITED, refused.termination());
            assertTrue(refused.detail().startsWith("4 connections"), refused.detail());
            assertEquals(3, a.accepted());
            try (Socket other = Clients.connect(Balancers.address(lb))) {
                other.getOutputStream().write(Clients.ascii("calm\n"));
                assertEquals("a", Clients.readLine(other.getInputStream()), "other keys are not affected");
            }
            Await.equal(0, Duration.ofSeconds(5),
                    () -> lb.backend("b").stickTable().connections("looping", System.nanoTime()));
        }
    }
}
