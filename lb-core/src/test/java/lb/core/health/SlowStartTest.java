package lb.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.FakeServer;
import lb.core.testing.ManualClock;

/**
 * Slow start with a weight large enough to see the ramp: a server of weight 100 that recovers
 * takes 1 just after, 50 half-way through the period, and 100 at the end. The balancer's
 * manual clock drives the ramp, so every reading is exact.
 */
class SlowStartTest {
    private static final int WEIGHT = 100;
    private static final Duration RAMP = Duration.ofSeconds(2);
    /** Probes never run during a test: the state is whatever the test forces. */
    private static final Duration NEVER = Duration.ofHours(1);

    private final ManualClock clock = new ManualClock();
    private FakeServer a;
    private FakeServer b;
    private LoadBalancer lb;
    private Backend backend;
    private Server serverA;

    @BeforeEach
    void start() {
        a = FakeServer.start("a", FakeServer.Mode.TAG);
        b = FakeServer.start("b", FakeServer.Mode.TAG);
        HealthCheck check = HealthCheck.tcp().interval(NEVER).fastInterval(NEVER).rise(1).fall(1).slowStart(RAMP);
        lb = Balancers.start(null, g -> g.clock(clock), be -> be.server("a", a.address(), o -> o.weight(WEIGHT))
                .server("b", b.address(), o -> o.weight(WEIGHT)).healthCheck(check), f -> { });
        backend = lb.backend("b");
        serverA = backend.server("a");
    }

    @AfterEach
    void stop() {
        lb.close();
        a.close();
        b.close();
    }

    @Test
    void theEffectiveWeightRampsFromNearZeroThroughHalfToFull() {
        EngineAccess.live(serverA).health(false, "test: down", Duration.ZERO);
        assertEquals(0, backend.usableServers().servers().stream().filter(s -> s == serverA).count());

        EngineAccess.live(serverA).health(true, "test: up", RAMP);
        assertTrue(serverA.isWarmingUp());
        assertEquals(1, serverA.weight(), "just recovered: the least weight that still takes tunnels");
        clock.advance(RAMP.dividedBy(4));
        assertEquals(WEIGHT / 4, serverA.weight());
        clock.advance(RAMP.dividedBy(4));
        assertEquals(WEIGHT / 2, serverA.weight());
        clock.advance(RAMP.dividedBy(2).minusNanos(1));
        assertEquals(WEIGHT - 1, serverA.weight(), "a nanosecond before the end");
        assertTrue(serverA.isWarmingUp());
        clock.advance(Duration.ofNanos(1));
        assertEquals(WEIGHT, serverA.weight(), "full weight once the period is over");
        assertFalse(serverA.isWarmingUp());
        assertEquals(WEIGHT, serverA.configuredWeight(), "the ramp never changes the configured weight");
    }

    @Test
    void aServerMarkedDownAgainStopsWarmingUpAndComesBackFromTheStart() {
        EngineAccess.live(serverA).health(false, "test: down", Duration.ZERO);
        EngineAccess.live(serverA).health(true, "test: up", RAMP);
        clock.advance(RAMP.dividedBy(2));
        assertEquals(WEIGHT / 2, serverA.weight());
        EngineAccess.live(serverA).health(false, "test: down again", Duration.ZERO);
        assertFalse(serverA.isWarmingUp());

        EngineAccess.live(serverA).health(true, "test: up again", RAMP);
        assertEquals(1, serverA.weight(), "the ramp starts over");
        clock.advance(RAMP.dividedBy(4));
        assertEquals(WEIGHT / 4, serverA.weight());
    }

    @Test
    void theBalancersAreToldOfTheRampInStepsNotOnlyWhenTheServerComesUp() {
        backend.forceHealth(serverA, false, "test: down");
        Await.until("a down", Duration.ofSeconds(5), () -> !serverA.isUp());
        long before = backend.usableServers().version();
        backend.forceHealth(serverA, true, "test: up");
        Await.until("a up", Duration.ofSeconds(5), serverA::isUp);
        // Balancers read weights when a server set is published: coming up publishes once, then
        // the monitor republishes every tenth of the period until the ramp is over. Each step
        // advances a little more than a tenth: a timer fires once its wheel tick (10 ms) is over.
        for (int step = 1; step <= 10; step++) {
            long published = backend.usableServers().version();
            clock.advance(RAMP.dividedBy(10).plusMillis(20));
            Await.until("a republish at step " + step, Duration.ofSeconds(5),
                    () -> backend.usableServers().version() > published);
        }
        assertTrue(backend.usableServers().version() >= before + 11);
        assertFalse(serverA.isWarmingUp());
    }
}
