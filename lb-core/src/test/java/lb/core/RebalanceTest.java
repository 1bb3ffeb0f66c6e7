package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import lb.core.balance.RoundRobin;
import lb.core.config.Rebalance;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.model.Verdict;
import lb.core.stats.RebalanceStats;
import lb.core.stick.LruStickTable;
import lb.core.stick.StickTable;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.RecordingServer;

/**
 * Rebalancing after scale-out: three servers hold every client, a fourth joins, and a rebalance
 * moves clients at a pace from the three to the fourth, each ended cleanly and re-pointed in the
 * stick table, so when it reconnects (round robin would send it anywhere) it lands on the new one.
 */
class RebalanceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int CLIENTS = 60;
    private static final int PER_SECOND = 100;

    @Test
    void clientsMoveToTheNewServerAtAPaceUntilTheSpreadIsWithinTolerance() throws Exception {
        EventLog log = new EventLog();
        StickTable table = new LruStickTable(1_000, Duration.ofMinutes(5), 64);
        try (RecordingServer a = RecordingServer.start(new byte[0]);
             RecordingServer b = RecordingServer.start(new byte[0]);
             RecordingServer c = RecordingServer.start(new byte[0]);
             RecordingServer d = RecordingServer.start(new byte[0]);
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()).server("b", b.address())
                     .server("c", c.address()).balancer(RoundRobin::new).stickTable(table),
                     f -> f.keyExtractor(new Keyed()))) {
            AtomicInteger reconnected = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(client(Balancers.address(lb), "client-" + i, reconnected));
            }
            Backend backend = lb.backend("b");
            Await.until("every client on a, b or c", WAIT, () -> connections(backend) == CLIENTS);
            backend.addServer("d", d.address(), o -> { });

            long start = System.nanoTime();
            RebalanceStats done = backend.rebalance(Rebalance.of(0.1, PER_SECOND)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(15, done.planned(), "down to 15 each: 5 from each of a, b, c");
            assertEquals(15, done.moved());
            assertFalse(done.running());
            // each of a, b, c down to its share, 15 (with round robin on two loops, 20 each)
            assertEquals(15, done.from().values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(List.of("a", "b", "c").containsAll(done.from().keySet()), done.from().toString());
            assertEquals(Map.of("d", 15), done.to());
            assertTrue(tookMs >= 14 * 1000L / PER_SECOND - 20, "paced: " + tookMs + " ms");

            List<TunnelEvent> moved = log.take(15, WAIT);
            for (TunnelEvent e : moved) {
                assertEquals(Termination.REBALANCED, e.termination());
                assertEquals("d", table.lookup(e.key(), System.nanoTime()), "re-pointed: " + e.key());
            }
            Await.until("the moved clients back", WAIT, () -> reconnected.get() == 15);
            Await.until("15 on each", WAIT, () -> backend.server("d").connections() == 15);
            for (String s : List.of("a", "b", "c", "d")) {
                assertEquals(15, backend.server(s).connections(), s);
            }
            assertEquals(15, lb.stats().backend("b").rebalance().moved(), "progress in stats");
            assertEquals(15, lb.stats().backend("b").traffic().ends().count(Termination.REBALANCED));

            RebalanceStats again = backend.rebalance(Rebalance.of(0.1, PER_SECOND)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, again.planned(), "within tolerance: nothing to move");
            for (Thread t : clients) {
                t.interrupt();
            }
        }
    }

    private static int connections(Backend backend) {
        int n = 0;
        for (var s : backend.servers()) {
            n += s.connections();
        }
        return n;
    }

    /** A client that sends its key, stays until the balancer ends it, then comes back once and stays. */
    private static Thread client(InetSocketAddress at, String key, AtomicInteger reconnected) {
        Thread t = new Thread(() -> {
            byte[] hello = CleanEndTest.concat(new byte[] {1, (byte) key.length()}, key.getBytes(StandardCharsets.US_ASCII));
            try (Socket first = Clients.connect(at)) {
                first.getOutputStream().write(hello);
                InputStream in = first.getInputStream();
                while (in.read() >= 0) {
                    // the farewell, then the end
                }
            } catch (IOException e) {
                return;
            }
            try (Socket second = Clients.connect(at)) {
                second.getOutputStream().write(hello);
                reconnected.incrementAndGet();
                second.getInputStream().read(); // until the test ends
            } catch (IOException e) {
                // the test is over
            }
        }, "client-" + key);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Routes by the first packet's body; frames as {@link CleanEndTest.LengthPrefixed}. */
    static final class Keyed extends CleanEndTest.LengthPrefixed {
        @Override
        public Verdict inspect(ByteBuffer firstBytes) {
            int at = firstBytes.position();
            if (firstBytes.remaining() < 2 || firstBytes.remaining() < 2 + (firstBytes.get(at + 1) & 0xFF)) {
                return Verdict.NEED_MORE;
            }
            byte[] key = new byte[firstBytes.get(at + 1) & 0xFF];
            firstBytes.duplicate().position(at + 2).get(key);
            return Verdict.route(new String(key, StandardCharsets.US_ASCII));
        }
    }
}
