package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.balance.Balancer;
import lb.core.balance.RoundRobin;
import lb.core.balance.ServerSet;
import lb.core.health.HealthCheck;
import lb.core.model.LoopFailure;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.Termination;
import lb.core.stats.LoopStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.http.PrometheusText;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * An error a loop cannot contain is never silent: the loop is marked dead, its tunnels end and
 * their slots come back, its listening socket goes on with a live loop, the application is
 * told, and the stats say so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Round robin that throws an {@code Error} once armed: something no loop can contain. */
    private static final class FatalBalancer implements Balancer {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        private final Balancer inner = new RoundRobin();

        @Override
        public void update(ServerSet usable) {
            inner.update(usable);
        }

        @Override
        public Pick pick(long keyHash, Server avoid) {
            if (ARMED.compareAndSet(true, false)) {
                throw new LinkageError("simulated error no loop can contain");
            }
            return inner.pick(keyHash, avoid);
        }
    }

    @Test
    void aLoopThatDiesClosesItsTunnelsHandsOnItsListenerAndSaysSo() throws Exception {
        EventLog log = new EventLog();
        CompletableFuture<LoopFailure> told = new CompletableFuture<>();
        List<Socket> established = new ArrayList<>();
        try (FakeServer echo = FakeServer.echo("echo");
             FakeServer echo2 = FakeServer.echo("echo2");
             LoadBalancer lb = Balancers.start(log, b -> b.eventLoops(2).onLoopFailure(told::complete),
                     be -> be.server("echo", echo.address()).server("echo2", echo2.address())
                             .balancer(FatalBalancer::new)
                             .healthCheck(HealthCheck.tcp().interval(Duration.ofMillis(100)).rise(1).fall(1)),
                     f -> { })) {
            // both loops get tunnels: hand-off fills the least loaded
            for (int i = 0; i < 4; i++) {
                Socket c = Clients.connect(Balancers.address(lb));
                c.setSoTimeout(10_000);
                roundTrip(c, "hello " + i);
                established.add(c);
            }
            FatalBalancer.ARMED.set(true);
            try (Socket victim = Clients.connect(Balancers.address(lb))) {
                victim.setSoTimeout(10_000);
                assertEnded(victim);
            }

            LoopFailure failure = told.get(10, TimeUnit.SECONDS);
            assertTrue(failure.error() instanceof LinkageError);
            assertEquals(1, failure.liveLoops());
            assertFalse(failure.isTotal());

            int survivors = 0;
            for (Socket c : established) {
                try {
                    roundTrip(c, "still there?");
                    survivors++;
                } catch (IOException | AssertionError ended) {
                    // a tunnel of the dead loop
                }
            }
            assertTrue(survivors >= 1 && survivors <= 3, "the dead loop's tunnels ended, the others did not: "
                    + survivors);
            int dead = 4 - survivors;
            Await.equal(dead + 1L, WAIT, () -> log.count(Termination.INTERNAL_ERROR));

            // every new client is served by the live loop, whichever loop accepted before
            for (int i = 0; i < 50; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.setSoTimeout(10_000);
                    roundTrip(c, "after " + i);
                }
            }
            int live = survivors;
            Await.equal(live, WAIT, () -> lb.stats().process().connections());

            StatsSnapshot stats = lb.stats();
            assertEquals(1, stats.process().liveLoops());
            LoopStats deadLoop = stats.loops().get(failure.loop());
            assertFalse(deadLoop.alive());
            assertTrue(PrometheusText.render(stats).contains("lb_loop_up{loop=\"" + failure.loop() + "\"} 0"));
            assertTrue(PrometheusText.render(stats).contains("lb_live_event_loops 1"));

            // one server's checks ran on each loop: after the failure both run on the live one
            echo.close();
            echo2.close();
            Await.until("both servers are seen down by checks on the live loop", WAIT,
                    () -> !lb.backend("b").server("echo").isUp() && !lb.backend("b").server("echo2").isUp());
        } finally {
            for (Socket c : established) {
                c.close();
            }
        }
    }

    private static void roundTrip(Socket c, String line) throws IOException {
        c.getOutputStream().write(Clients.ascii(line + "\n"));
        assertEquals(line, Clients.readLine(c.getInputStream()));
    }

    private static void assertEnded(Socket c) throws IOException {
        try {
            assertEquals(-1, c.getInputStream().read());
        } catch (SocketException reset) {
            // a reset is an end too
        }
    }
}
