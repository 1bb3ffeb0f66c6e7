package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import lb.core.balance.RoundRobin;
import lb.core.config.Rebalance;
import lb.core.health.HealthCheck;
import lb.core.health.Judgement;
import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.stats.RebalanceStats;
import lb.core.stick.LruStickTable;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.RecordingServer;

/**
 * Scale-out with {@code rebalanceOnAdd}: three servers hold every client, a fourth is added, and
 * the backend rebalances by itself, but only once the fourth passed its health checks; without
 * the setting nothing moves.
 */
class RebalanceOnAddTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int CLIENTS = 60;
    private static final int PER_SECOND = 50;
    private static final double TOLERANCE = 0.1;

    /** Each server greets every connection with one frame holding its name, which the check reads. */
    private static RecordingServer server(char name) {
        return RecordingServer.start(new byte[] {1, 1, (byte) name});
    }

    /** Passes a server that greets with its name, unless it is "d" and d is not to be healthy yet. */
    private static HealthCheck check(AtomicBoolean dHealthy) {
        return check(dHealthy, Duration.ofMillis(50));
    }

    private static HealthCheck check(AtomicBoolean dHealthy, Duration interval) {
        return HealthCheck.sendExpect("named", new byte[] {1, 0}, reply -> {
            if (reply.remaining() < 3) {
                return Judgement.NEED_MORE;
            }
            boolean isD = reply.get(reply.position() + 2) == 'd';
            return !isD || dHealthy.get() ? Judgement.PASS : Judgement.fail("d is not ready");
        }, null).interval(interval).fastInterval(Duration.ofMillis(50)).timeout(Duration.ofSeconds(3)).rise(2).fall(2);
    }

    @Test
    void theRebalanceStartsByItselfOnlyOnceTheAddedServerIsHealthyAndEndsWithinToleranceAtItsPace() throws Exception {
        AtomicBoolean dHealthy = new AtomicBoolean(false);
        EventLog log = new EventLog();
        try (RecordingServer a = server('a'); RecordingServer b = server('b'); RecordingServer c = server('c');
             RecordingServer d = server('d');
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()).server("b", b.address())
                     .server("c", c.address()).balancer(RoundRobin::new)
                     .stickTable(new LruStickTable(1_000, Duration.ofMinutes(5), 64)).healthCheck(check(dHealthy, Duration.ofSeconds(1)))
                     .rebalanceOnAdd(Rebalance.of(TOLERANCE, PER_SECOND)),
                     f -> f.keyExtractor(new RebalanceTest.Keyed()))) {
            List<Thread> clients = startClients(lb);
            Backend backend = lb.backend("b");
            Await.until("every client on a, b or c", WAIT, () -> connections(backend) == CLIENTS);

            backend.addServer("d", d.address(), o -> { });
            assertEquals(List.of("d"), lb.stats().backend("b").awaitingRebalance());
            // A new server counts as up until its first check (here somewhere in its first second)
            // says otherwise: the rebalance must wait for checks passed, not for the absence of a failure.
            Await.until("d down by its check", WAIT, () -> !backend.server("d").isUp());
            Thread.sleep(300);
            BackendStats waiting = lb.stats().backend("b");
            assertNull(waiting.rebalance(), "no rebalance while d fails its checks");
            assertEquals(List.of("d"), waiting.awaitingRebalance());
            assertEquals(0, log.count(Termination.REBALANCED));

            dHealthy.set(true);
            Await.until("a rebalance started by itself", WAIT, () -> lb.stats().backend("b").rebalance() != null);
            RebalanceStats started = lb.stats().backend("b").rebalance();
            assertTrue(backend.server("d").isUp(), "started only once d is up");
            assertEquals("added: d", started.cause());
            assertEquals(15, started.planned(), "down to 15 each: 5 from each of a, b, c");
            assertEquals(Map.of("d", 15), started.to());
            Await.until("the rebalance over", WAIT, () -> !lb.stats().backend("b").rebalance().running());
            long tookMs = System.currentTimeMillis() - started.startedAtMillis();
            assertTrue(tookMs >= 14 * 1000L / PER_SECOND - 20, "paced at " + PER_SECOND + "/s: " + tookMs + " ms");
            assertEquals(15, lb.stats().backend("b").rebalance().moved());
            assertEquals(List.of(), lb.stats().backend("b").awaitingRebalance());

            Await.until("the moved clients back, on d", WAIT, () -> backend.server("d").connections() == 15
                    && connections(backend) == CLIENTS);
            for (String s : List.of("a", "b", "c", "d")) {
                int n = backend.server(s).connections();
                assertTrue(Math.abs(n - 15) <= Math.max(1, TOLERANCE * 15), s + " holds " + n);
            }
            assertEquals(15, log.count(Termination.REBALANCED), "once: nothing moves after it");
            stop(clients);
        }
    }

    @Test
    void anAddedServerWarmingUpAfterItsRecoveryIsWaitedForUntilItsSlowStartIsOver() throws Exception {
        AtomicBoolean dHealthy = new AtomicBoolean(false);
        Duration slowStart = Duration.ofMillis(800);
        try (RecordingServer a = server('a'); RecordingServer b = server('b'); RecordingServer c = server('c');
             RecordingServer d = server('d');
             LoadBalancer lb = Balancers.start(new EventLog(), be -> be.server("a", a.address()).server("b", b.address())
                     .server("c", c.address()).balancer(RoundRobin::new)
                     .stickTable(new LruStickTable(1_000, Duration.ofMinutes(5), 64))
                     .healthCheck(check(dHealthy).slowStart(slowStart))
                     .rebalanceOnAdd(Rebalance.of(TOLERANCE, PER_SECOND)),
                     f -> f.keyExtractor(new RebalanceTest.Keyed()))) {
            List<Thread> clients = startClients(lb);
            Backend backend = lb.backend("b");
            Await.until("every client on a, b or c", WAIT, () -> connections(backend) == CLIENTS);
            backend.addServer("d", d.address(), o -> { });
            Await.until("d down by its check", WAIT, () -> !backend.server("d").isUp());
            dHealthy.set(true);
            Await.until("d up again, warming up", WAIT, () -> backend.server("d").isUp());
            long upAtMillis = backend.server("d").healthChangedAtMillis();
            Await.until("a rebalance started by itself", WAIT, () -> lb.stats().backend("b").rebalance() != null);
            long after = lb.stats().backend("b").rebalance().startedAtMillis() - upAtMillis;
            assertTrue(after >= slowStart.toMillis() - 20, "started " + after + " ms after d came up, within its warm-up");
            assertFalse(backend.server("d").isWarmingUp());
            stop(clients);
        }
    }

    @Test
    void withoutTheSettingAnAddedHealthyServerGetsNoClientsMoved() throws Exception {
        EventLog log = new EventLog();
        try (RecordingServer a = server('a'); RecordingServer b = server('b'); RecordingServer c = server('c');
             RecordingServer d = server('d');
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()).server("b", b.address())
                     .server("c", c.address()).balancer(RoundRobin::new)
                     .stickTable(new LruStickTable(1_000, Duration.ofMinutes(5), 64))
                     .healthCheck(check(new AtomicBoolean(true))),
                     f -> f.keyExtractor(new RebalanceTest.Keyed()))) {
            List<Thread> clients = startClients(lb);
            Backend backend = lb.backend("b");
            Await.until("every client on a, b or c", WAIT, () -> connections(backend) == CLIENTS);

            backend.addServer("d", d.address(), o -> { });
            Await.until("d checked", WAIT, () -> d.connections().size() >= 3);
            Thread.sleep(500);
            BackendStats after = lb.stats().backend("b");
            assertNull(after.rebalance());
            assertEquals(List.of(), after.awaitingRebalance());
            assertEquals(0, log.count(Termination.REBALANCED));
            assertEquals(0, backend.server("d").connections());
            stop(clients);
        }
    }

    @Test
    void aServerAddedWhileARebalanceRunsGetsOneMoreAfterIt() throws Exception {
        EventLog log = new EventLog();
        try (RecordingServer a = server('a'); RecordingServer b = server('b'); RecordingServer c = server('c');
             RecordingServer d = server('d'); RecordingServer e = server('e');
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()).server("b", b.address())
                     .server("c", c.address()).balancer(RoundRobin::new)
                     .stickTable(new LruStickTable(1_000, Duration.ofMinutes(5), 64))
                     .healthCheck(check(new AtomicBoolean(true)))
                     .rebalanceOnAdd(Rebalance.of(TOLERANCE, 20)),
                     f -> f.keyExtractor(new RebalanceTest.Keyed()))) {
            List<Thread> clients = startClients(lb);
            Backend backend = lb.backend("b");
            Await.until("every client on a, b or c", WAIT, () -> connections(backend) == CLIENTS);

            backend.addServer("d", d.address(), o -> { });
            Await.until("the rebalance for d running", WAIT, () -> lb.stats().backend("b").rebalance() != null);
            backend.addServer("e", e.address(), o -> { });
            assertTrue(lb.stats().backend("b").rebalance().running(), "15 at 20/s: still moving when e comes");
            Await.until("one more, for e", WAIT, () -> "added: e".equals(lb.stats().backend("b").rebalance().cause()));
            assertEquals(15, log.take(15, WAIT).size(), "the first one moved its 15");
            Await.until("the second over", WAIT, () -> !lb.stats().backend("b").rebalance().running());
            Await.until("everyone back", WAIT, () -> connections(backend) == CLIENTS
                    && backend.server("e").connections() >= 11);
            for (String s : List.of("a", "b", "c", "d", "e")) {
                int n = backend.server(s).connections();
                // the plan for e is made as d's last clients reconnect: one may be counted out of it
                assertTrue(Math.abs(n - 12) <= 2, s + " holds " + n);
            }
            stop(clients);
        }
    }

    private static List<Thread> startClients(LoadBalancer lb) {
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(client(Balancers.address(lb), "client-" + i));
        }
        return clients;
    }

    /** A client that sends its key and stays; ended by the balancer, it comes back (a few times at most). */
    private static Thread client(InetSocketAddress at, String key) {
        Thread t = new Thread(() -> {
            byte[] hello = CleanEndTest.concat(new byte[] {1, (byte) key.length()}, key.getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 5 && !Thread.currentThread().isInterrupted(); i++) {
                try (Socket s = Clients.connect(at)) {
                    s.getOutputStream().write(hello);
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // greeting, farewell, then the end
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "client-" + key);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int connections(Backend backend) {
        int n = 0;
        for (var s : backend.servers()) {
            n += s.connections();
        }
        return n;
    }

    private static void stop(List<Thread> clients) {
        clients.forEach(Thread::interrupt);
    }
}
