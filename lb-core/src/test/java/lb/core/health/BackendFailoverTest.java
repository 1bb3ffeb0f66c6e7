package lb.core.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * A server dies under 1,000 tunnels: it is marked down within interval x fall (+ timeout),
 * gets no new tunnel, the other server's tunnels carry on byte for byte, and when it returns it
 * is marked up after `rise` checks and takes traffic again, warming up.
 */
class BackendFailoverTest {
    private static final int TUNNELS = 1_000;
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final int FALL = 2;
    private static final int RISE = 2;
    /** Real time is the point of the detection and recovery bounds, so they get this much room. */
    private static final int SLACK = 3;

    @Test
    void aDeadServerIsMarkedDownAvoidedAndWelcomedBackWithoutDisturbingTheOthers() throws Exception {
        HealthCheck check = HealthCheck.tcp().interval(INTERVAL).fastInterval(INTERVAL).timeout(TIMEOUT)
                .rise(RISE).fall(FALL).slowStart(Duration.ofSeconds(2));
        FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
        InetSocketAddress aAddress = a.address();
        List<Socket> clients = new ArrayList<>();
        try (FakeServer b = FakeServer.start("b", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(null,
                     be -> be.server("a", aAddress).server("b", b.address()).healthCheck(check))) {
            Map<Socket, String> serverOf = new HashMap<>();
            for (int i = 0; i < TUNNELS; i++) {
                Socket c = Clients.connect(Balancers.address(lb));
                clients.add(c);
                serverOf.put(c, Clients.readLine(c.getInputStream()));
            }
            long onA = serverOf.values().stream().filter("a"::equals).count();
            assertEquals(TUNNELS / 2, onA, "round robin split them evenly");

            Server serverA = lb.backend("b").server("a");
            long killedAt = System.nanoTime();
            a.close();
            Await.until("a marked down", Duration.ofSeconds(5), () -> !serverA.isUp());
            long detection = System.nanoTime() - killedAt;
            // At worst the next check is a jittered interval away, then fall - 1 more follow,
            // each failing at once (refused) or after the timeout; 3x that for a loaded machine.
            long worst = jittered(INTERVAL.toNanos() * FALL) + TIMEOUT.toNanos() * FALL;
            System.out.printf("down detected after %d ms (worst case %d ms, bound 3x), reason: %s%n",
                    detection / 1_000_000, worst / 1_000_000, serverA.healthReason());
            assertTrue(detection <= SLACK * worst, "detected after " + detection / 1_000_000 + " ms");

            for (int i = 0; i < 50; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    assertEquals("b", Clients.readLine(c.getInputStream()), "no new tunnel goes to a dead server");
                }
            }
            Random random = new Random(7);
            for (Socket c : clients) {
                if (serverOf.get(c).equals("b")) {
                    byte[] bytes = new byte[2048];
                    random.nextBytes(bytes);
                    c.getOutputStream().write(bytes);
                    assertArrayEquals(bytes, Clients.readExactly(c.getInputStream(), bytes.length),
                            "tunnels on the live server are untouched");
                }
            }

            try (FakeServer back = FakeServer.start("a", FakeServer.Mode.TAG, aAddress)) {
                long restartedAt = System.nanoTime();
                Await.until("a marked up", Duration.ofSeconds(5), serverA::isUp);
                long recovery = System.nanoTime() - restartedAt;
                long worstRecovery = jittered(INTERVAL.toNanos() * RISE);
                System.out.printf("up again after %d ms (worst case %d ms, bound 3x) (%s)%n",
                        recovery / 1_000_000, worstRecovery / 1_000_000, serverA.healthReason());
                assertTrue(recovery <= SLACK * worstRecovery, "recovered after " + recovery / 1_000_000 + " ms");
                assertTrue(serverA.isWarmingUp(), "slow start (its ramp: SlowStartTest)");
                Await.until("a gets traffic again", Duration.ofSeconds(10), () -> {
                    try (Socket c = Clients.connect(Balancers.address(lb))) {
                        return Clients.readLine(c.getInputStream()).equals("a");
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
            }
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    /** A check interval with its jitter at the worst: interval and fast interval vary by 10%. */
    private static long jittered(long ns) {
        return ns + ns / 10;
    }
}
