package lb.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.LoadBalancer;
import lb.core.Server;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.FakeServer;

/**
 * Slow start with a weight large enough to see the ramp: a server of weight 100 that recovers
 * takes about 0 just after, about 50 half-way through the period, and 100 at the end.
 *
 * <p>{@link Server#weight()} reads {@code System.nanoTime()} itself (the builder's clock does
 * not reach it), so a manual clock cannot drive it. Instead every reading is bracketed by two
 * {@code nanoTime} calls, as is the recovery, and must lie between the linear ramp's values at
 * the earliest and the latest elapsed time those brackets allow: exact however loaded the
 * machine is, with only the sleeps that place the readings early, midway and late.
 */
class SlowStartTest {
    private static final int WEIGHT = 100;
    private static final Duration RAMP = Duration.ofSeconds(2);
    /** Probes never run during a test: the state is whatever the test forces. */
    private static final Duration NEVER = Duration.ofHours(1);

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
        lb = Balancers.start(null, be -> be.server("a", a.address(), o -> o.weight(WEIGHT))
                .server("b", b.address(), o -> o.weight(WEIGHT)).healthCheck(check));
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
    void theEffectiveWeightRampsFromNearZeroThroughHalfToFull() throws Exception {
        serverA.health(false, "test: down", Duration.ZERO);
        assertEquals(0, backend.usableServers().servers().stream().filter(s -> s == serverA).count());

        long recoveryStart = System.nanoTime();
        serverA.health(true, "test: up", RAMP);
        long recoveryEnd = System.nanoTime();
        assertTrue(serverA.isWarmingUp());

        int early = reading(recoveryStart, recoveryEnd);
        sleepUntil(recoveryEnd + RAMP.toNanos() / 2);
        int midway = reading(recoveryStart, recoveryEnd);
        sleepUntil(recoveryEnd + RAMP.toNanos());
        int late = reading(recoveryStart, recoveryEnd);
        System.out.printf("slow start over %d ms, weight %d: %d early, %d midway, %d at the end%n",
                RAMP.toMillis(), WEIGHT, early, midway, late);

        assertTrue(early <= midway && midway <= late, early + ", " + midway + ", " + late);
        assertEquals(WEIGHT, late, "full weight once the period is over");
        assertFalse(serverA.isWarmingUp());
        assertEquals(WEIGHT, serverA.configuredWeight(), "the ramp never changes the configured weight");
    }

    @Test
    void aServerMarkedDownAgainStopsWarmingUpAndComesBackFromTheStart() throws Exception {
        serverA.health(false, "test: down", Duration.ZERO);
        serverA.health(true, "test: up", RAMP);
        sleepUntil(System.nanoTime() + RAMP.toNanos() / 2);
        serverA.health(false, "test: down again", Duration.ZERO);
        assertFalse(serverA.isWarmingUp());

        long recoveryStart = System.nanoTime();
        serverA.health(true, "test: up again", RAMP);
        long recoveryEnd = System.nanoTime();
        reading(recoveryStart, recoveryEnd);
    }

    @Test
    void theBalancersAreToldOfTheRampInStepsNotOnlyWhenTheServerComesUp() {
        backend.forceHealth(serverA, false, "test: down");
        Await.until("a down", Duration.ofSeconds(5), () -> !serverA.isUp());
        long before = backend.usableServers().version();
        backend.forceHealth(serverA, true, "test: up");
        Await.until("a up", Duration.ofSeconds(5), serverA::isUp);
        // Balancers read weights when a server set is published: coming up publishes once,
        // then the monitor republishes every tenth of the period until the ramp is over (at least
        // three of those steps, even on a loaded machine).
        Await.until("the set republished during the ramp", RAMP.multipliedBy(3),
                () -> backend.usableServers().version() >= before + 5);
        Await.until("the ramp over", RAMP.multipliedBy(3), () -> !serverA.isWarmingUp());
    }

    /**
     * Reads the weight between two clock readings and checks it against the linear ramp from
     * a recovery somewhere in [{@code recoveryStart}, {@code recoveryEnd}].
     */
    private int reading(long recoveryStart, long recoveryEnd) {
        long before = System.nanoTime();
        int weight = serverA.weight();
        long after = System.nanoTime();
        int lowest = ramp(before - recoveryEnd);
        int highest = ramp(after - recoveryStart);
        assertTrue(lowest <= weight && weight <= highest, "weight " + weight + " outside the ramp's ["
                + lowest + ", " + highest + "] at " + (before - recoveryEnd) / 1_000_000 + " ms");
        return weight;
    }

    /** The slow-start rule written out: linear from 0 (but at least 1) to the full weight. */
    private static int ramp(long elapsedNs) {
        if (elapsedNs >= RAMP.toNanos()) {
            return WEIGHT;
        }
        return (int) Math.max(1, WEIGHT * Math.max(0, elapsedNs) / RAMP.toNanos());
    }

    /** Real time is the point here: the ramp is measured against System.nanoTime. */
    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(left / 1_000_000 + 1);
        }
    }
}
