package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;
import lb.core.testing.LoopThreads;

/**
 * At its limit a frontend stops accepting: the rest wait in the kernel backlog, the loops
 * sleep, and waiting clients are served as slots free, none refused.
 */
class SaturationTest {
    private static final int LIMIT = 100;

    @Test
    void clientsBeyondTheLimitWaitInTheBacklogAndAreServedInTurnWithoutBurningCpu() throws Exception {
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()),
                     f -> f.maxConnections(LIMIT))) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3 * LIMIT; i++) {
                    clients.add(Clients.connect(Balancers.address(lb)));
                }
                Await.equal(LIMIT, Duration.ofSeconds(10), echo::openConnections);
                Thread.sleep(200);
                assertEquals(LIMIT, echo.accepted(), "exactly the limit is served");
                assertEquals(LIMIT, lb.frontend("f").connections());

                long cpuBefore = LoopThreads.cpuNanos(lb);
                long wallBefore = System.nanoTime();
                Thread.sleep(3_000);
                long cpu = LoopThreads.cpuNanos(lb) - cpuBefore;
                long wall = System.nanoTime() - wallBefore;
                System.out.printf("saturated idle window: loop CPU %.2f%% of wall time%n", 100.0 * cpu / wall);
                assertTrue(cpu < wall / 20, "loops used " + cpu / 1_000_000 + " ms CPU in " + wall / 1_000_000 + " ms");
                assertEquals(LIMIT, echo.accepted(), "nobody was accepted past the limit meanwhile");

                for (int batch = 0; batch < 3; batch++) {
                    for (int i = batch * LIMIT; i < (batch + 1) * LIMIT; i++) {
                        Socket c = clients.get(i);
                        c.getOutputStream().write('a' + batch);
                        assertEquals('a' + batch, c.getInputStream().read(), "client " + i + " is served");
                    }
                    for (int i = batch * LIMIT; i < (batch + 1) * LIMIT; i++) {
                        clients.get(i).close();
                    }
                    int served = Math.min(3, batch + 2) * LIMIT;
                    Await.equal(served, Duration.ofSeconds(10), echo::accepted);
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            Await.equal(0, Duration.ofSeconds(10), () -> EngineAccess.loops(lb).tunnelCount());
            assertEquals(3 * LIMIT, echo.accepted());
        }
    }

    @Test
    void theGlobalLimitHoldsAcrossFrontendsAndReleasesInTurn() throws Exception {
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = LoadBalancer.builder().eventLoops(2).maxConnections(3)
                     .backend("b", b -> b.server("echo", echo.address()))
                     .frontend("one", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"))
                     .frontend("two", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"))
                     .build().start()) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    String frontend = i % 2 == 0 ? "one" : "two";
                    clients.add(Clients.connect(lb.frontend(frontend).boundAddresses().get(0)));
                }
                Await.equal(3, Duration.ofSeconds(5), echo::openConnections);
                Thread.sleep(200);
                assertEquals(3, echo.accepted(), "three tunnels in the whole process");
                clients.get(0).close();
                Await.equal(4, Duration.ofSeconds(5), echo::accepted);
                clients.get(1).close();
                Await.equal(5, Duration.ofSeconds(5), echo::accepted);
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }
}
