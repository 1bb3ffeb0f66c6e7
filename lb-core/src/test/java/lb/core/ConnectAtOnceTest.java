package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import lb.core.model.TunnelEvent;
import lb.core.time.Clock;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * A connect to a server on this host completes within the call that began it, so the tunnel
 * checks it at once instead of waiting a round through the selector for it; a server that
 * answers later is waited for, and checked at once again only every 64th connect. Seen on a
 * clock that moves a microsecond at every reading: a connect finished within the loop cycle
 * that began it takes no time at all, one that waited for the selector does.
 */
class ConnectAtOnceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aServerOnThisHostIsConnectedWithinTheCycleThatBeganTheConnect() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer server = FakeServer.echo("s");
             LoadBalancer lb = Balancers.start(log, g -> g.clock(tickingClock()),
                     b -> b.server("s", server.address()), f -> { })) {
            for (int i = 0; i < 3; i++) {
                roundTrip(Balancers.address(lb));
            }
            for (TunnelEvent e : log.take(3, WAIT)) {
                assertEquals(0, e.connectNs(), "connected in the cycle that began it: " + e);
            }
        }
    }

    @Test
    void aServerThatAnswersLaterIsWaitedForAndCheckedAtOnceAgainEvery64thConnect() throws Exception {
        EventLog log = new EventLog();
        try (ServerSocketChannel slow = ServerSocketChannel.open()) {
            slow.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<Socket> fillers = Clients.fillAcceptQueue(slow); // the first SYN is dropped
            InetSocketAddress target = (InetSocketAddress) slow.getLocalAddress();
            AtomicInteger accepted = new AtomicInteger();
            try (LoadBalancer lb = Balancers.start(log, g -> g.clock(tickingClock()),
                    b -> b.server("s", target).connectTimeout(Duration.ofSeconds(15)), f -> { })) {
                try (Socket client = Clients.connect(Balancers.address(lb))) {
                    Thread.sleep(300);
                    slow.accept().close(); // a slot frees: the resent SYN gets through
                    for (Socket s : fillers) {
                        s.close();
                    }
                    Thread acceptor = new Thread(() -> acceptAndClose(slow, accepted), "acceptor");
                    acceptor.setDaemon(true);
                    acceptor.start();
                    Await.until("the resent SYN got through", WAIT, () -> accepted.get() == 1);
                }
                assertTrue(log.next(WAIT).connectNs() > 0, "the first connect waited");
                long[] connectNs = new long[67];
                for (int n = 2; n <= 66; n++) {
                    Clients.connect(Balancers.address(lb)).close();
                    connectNs[n] = log.next(WAIT).connectNs();
                }
                for (int n = 2; n < 64; n++) {
                    assertTrue(connectNs[n] > 0, "connect " + n + " waited for the selector, as the first had to");
                }
                for (int n = 64; n <= 66; n++) {
                    assertEquals(0, connectNs[n], "connect " + n + " was checked at once, and was done");
                }
            } finally {
                slow.close();
            }
        }
    }

    /** Moves a microsecond at every reading. */
    private static Clock tickingClock() {
        AtomicLong nowNs = new AtomicLong(1_000_000_000_000L);
        return () -> nowNs.addAndGet(1_000);
    }

    private static void roundTrip(InetSocketAddress address) throws IOException {
        try (Socket client = Clients.connect(address)) {
            client.getOutputStream().write(Clients.ascii("ping"));
            assertArrayEquals(Clients.ascii("ping"), Clients.readExactly(client.getInputStream(), 4));
        }
    }

    private static void acceptAndClose(ServerSocketChannel listener, AtomicInteger accepted) {
        try {
            while (true) {
                SocketChannel made = listener.accept();
                accepted.incrementAndGet();
                made.close();
            }
        } catch (IOException closed) {
            // the test is over
        }
    }
}
