package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * The kernel's queue in front of a frontend held at its limit, as the stats show it: the
 * accept queue follows the clients that connect meanwhile, within a sampling period, and a
 * backlog that overflows shows in the kernel's overflow counter. Needs Linux's {@code /proc};
 * skipped where there is none.
 */
class KernelAcceptQueueTest {
    /** The stats read the kernel at most once a second; allow for a slow machine on top. */
    private static final Duration SAMPLING_PERIOD = Duration.ofSeconds(1);

    @BeforeAll
    static void needsProc() {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")) && Files.isReadable(Path.of("/proc/net/netstat")),
                "no /proc/net: the kernel's accept queues are not visible on this platform");
    }

    @Test
    void theAcceptQueueFollowsClientsWaitingForAFrontendAtItsLimit() throws Exception {
        List<SocketChannel> waiting = new ArrayList<>();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()), f -> f.maxConnections(1));
             Socket holder = served(Balancers.address(lb))) {
            InetSocketAddress address = Balancers.address(lb);
            ListenerStats before = listener(lb);
            assertEquals(4096, before.backlog());
            long somaxconn = somaxconn();
            assertEquals(OptionalLong.of(Math.min(4096, somaxconn)), before.acceptQueueLimit());
            for (int step : new int[] {200, 500}) {
                while (waiting.size() < step) {
                    waiting.add(connectWithoutWaiting(address));
                }
                long start = System.nanoTime();
                Await.until("accept queue " + step, SAMPLING_PERIOD.plusSeconds(4),
                        () -> listener(lb).acceptQueue().equals(OptionalLong.of(step)));
                long ms = (System.nanoTime() - start) / 1_000_000;
                System.out.println("accept queue: " + step + " clients waiting, seen in the stats after " + ms
                        + " ms (limit " + before.acceptQueueLimit().getAsLong() + ")");
                assertTrue(ms <= SAMPLING_PERIOD.toMillis() + 1_500, ms + " ms");
            }
            assertEquals(1, lb.frontend("f").connections(), "still held at its limit: the kernel holds the rest");
        } finally {
            for (SocketChannel c : waiting) {
                c.close();
            }
        }
    }

    @Test
    void anOverflowingBacklogShowsInTheKernelsOverflowCounter() throws Exception {
        List<SocketChannel> waiting = new ArrayList<>();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()),
                     f -> f.maxConnections(1).backlog(8));
             Socket holder = served(Balancers.address(lb))) {
            KernelListenStats k0 = lb.stats().process().kernel();
            assertTrue(k0.listenOverflows().isPresent() && k0.listenDrops().isPresent(), k0.toString());
            for (int i = 0; i < 60; i++) {
                waiting.add(connectWithoutWaiting(Balancers.address(lb)));
            }
            // The kernel queues the backlog (Linux: and one more) and drops the SYNs of the rest, counting each drop.
            Await.until("overflows counted", SAMPLING_PERIOD.plusSeconds(4), () -> {
                KernelListenStats k = lb.stats().process().kernel();
                return k.listenOverflows().getAsLong() - k0.listenOverflows().getAsLong() >= 60 - 9;
            });
            KernelListenStats k = lb.stats().process().kernel();
            ListenerStats l = listener(lb);
            System.out.println("overflow: backlog 8, 60 clients: accept queue " + l.acceptQueue().getAsLong()
                    + ", ListenOverflows +" + (k.listenOverflows().getAsLong() - k0.listenOverflows().getAsLong())
                    + ", ListenDrops +" + (k.listenDrops().getAsLong() - k0.listenDrops().getAsLong()));
            assertEquals(OptionalLong.of(8), l.acceptQueueLimit());
            long queued = l.acceptQueue().getAsLong();
            assertTrue(queued == 8 || queued == 9, "full: the backlog (Linux takes one more), was " + queued);
            assertTrue(k.listenDrops().getAsLong() - k0.listenDrops().getAsLong() >= 60 - 9, "drops include overflows");
        } finally {
            for (SocketChannel c : waiting) {
                c.close();
            }
        }
    }

    @Test
    void aBacklogTheKernelCapsIsLoggedWithBothNumbers() throws Exception {
        long somaxconn = somaxconn();
        Assumptions.assumeTrue(somaxconn < 65_535, "somaxconn leaves no larger backlog to ask for");
        Logger logger = Logger.getLogger("lb.core.engine.KernelListenQueues");
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()),
                     f -> f.backlog((int) somaxconn + 1000))) {
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("backlog=" + (somaxconn + 1000)) && warnings.get(0)
                    .contains("somaxconn=" + somaxconn), warnings.get(0));
            assertEquals(OptionalLong.of(somaxconn), listener(lb).acceptQueueLimit());
        } finally {
            logger.removeHandler(handler);
        }
    }

    /** Read in one call, as a sysctl file must be (see {@code KernelListenQueues.somaxconn}). */
    private static long somaxconn() throws IOException {
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/core/somaxconn"))) {
            return Long.parseLong(in.readLine().trim());
        }
    }

    private static ListenerStats listener(LoadBalancer lb) {
        return lb.stats().frontend("f").listeners().get(0);
    }

    /** A client served through the frontend, holding its only slot. */
    private static Socket served(InetSocketAddress address) throws IOException {
        Socket s = Clients.connect(address);
        s.getOutputStream().write(Clients.ascii("x"));
        assertEquals('x', s.getInputStream().read());
        return s;
    }

    /** A connect that does not wait for the handshake: it completes in the kernel's queue, or its SYN is dropped. */
    private static SocketChannel connectWithoutWaiting(InetSocketAddress address) throws IOException {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        c.connect(address);
        return c;
    }
}
