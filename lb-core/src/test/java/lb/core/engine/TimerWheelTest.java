package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long TICK = 10;

    private static final class Recorded extends TimerWheel.Timeout {
        final List<Long> firedAt = new ArrayList<>();

        @Override
        protected void onTimeout(long nowNs) {
            firedAt.add(nowNs);
        }
    }

    @Test
    void aTimeoutFiresOnceItsTickHasElapsedAndNotBefore() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recorded t = new Recorded();
        wheel.schedule(t, 25);
        wheel.poll(29, 100);
        assertTrue(t.firedAt.isEmpty(), "tick 2 (20..29) not over at 29");
        wheel.poll(30, 100);
        assertEquals(List.of(30L), t.firedAt);
        assertFalse(t.isArmed());
        assertEquals(0, wheel.size());
    }

    @Test
    void timeoutsSeveralRevolutionsAwayWaitTheirTurn() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recorded far = new Recorded();
        wheel.schedule(far, 8 * TICK * 3 + 5);
        for (long now = 0; now < 8 * TICK * 3 + 10; now += 7) {
            wheel.poll(now, 100);
        }
        assertTrue(far.firedAt.isEmpty());
        wheel.poll(8 * TICK * 3 + 10, 100);
        assertEquals(1, far.firedAt.size());
    }

    @Test
    void cancelledAndRescheduledTimeoutsFireOnlyAtTheirLastDeadline() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recorded t = new Recorded();
        wheel.schedule(t, 15);
        wheel.schedule(t, 45);
        wheel.poll(30, 100);
        assertTrue(t.firedAt.isEmpty());
        wheel.cancel(t);
        wheel.poll(100, 100);
        assertTrue(t.firedAt.isEmpty());
        assertEquals(0, wheel.size());
    }

    @Test
    void pollFiresAtMostTheLimitAndTheRestNextTime() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        List<Recorded> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Recorded r = new Recorded();
            all.add(r);
            wheel.schedule(r, 5);
        }
        assertEquals(4, wheel.poll(20, 4));
        assertEquals(6, wheel.poll(20, 100));
        all.forEach(r -> assertEquals(1, r.firedAt.size()));
    }

    @Property(tries = 200)
    void everyTimeoutFiresWithinOneTickAfterItsDeadline(
            @ForAll @Size(min = 1, max = 50) List<@LongRange(min = 0, max = 2_000) Long> deadlines,
            @ForAll @LongRange(min = 1, max = 40) long step) {
        TimerWheel wheel = new TimerWheel(TICK, 16, 0);
        List<Recorded> timers = new ArrayList<>();
        for (long d : deadlines) {
            Recorded r = new Recorded();
            timers.add(r);
            wheel.schedule(r, d);
        }
        for (long now = 0; now <= 2_000 + 2 * TICK + step; now += step) {
            wheel.poll(now, Integer.MAX_VALUE);
        }
        for (int i = 0; i < timers.size(); i++) {
            long deadline = deadlines.get(i);
            List<Long> fired = timers.get(i).firedAt;
            assertEquals(1, fired.size(), "fired exactly once");
            assertTrue(fired.get(0) >= deadline, "never early");
            assertTrue(fired.get(0) < deadline + TICK + step, "at most a tick (plus the poll step) late");
        }
    }

    @Test
    void aThrowingTimeoutIsHandedToTheFaultHandlerAndTheRestStillFire() {
        List<RuntimeException> faults = new ArrayList<>();
        TimerWheel wheel = new TimerWheel(TICK, 8, 0, (timeout, fault) -> faults.add(fault));
        Recorded before = new Recorded();
        TimerWheel.Timeout thrower = new TimerWheel.Timeout() {
            @Override
            protected void onTimeout(long nowNs) {
                throw new IllegalStateException("boom");
            }
        };
        Recorded after = new Recorded();
        wheel.schedule(before, 5);
        wheel.schedule(thrower, 5);
        wheel.schedule(after, 5);
        wheel.poll(10, 100);
        assertEquals(1, faults.size());
        assertEquals("boom", faults.get(0).getMessage());
        assertEquals(List.of(10L), before.firedAt);
        assertEquals(List.of(10L), after.firedAt);
    }

    @Test
    void aTimeoutThatCancelsOrMovesItsNeighbourDoesNotDerailTheSweep() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recorded cancelled = new Recorded();
        Recorded moved = new Recorded();
        Recorded last = new Recorded();
        TimerWheel.Timeout meddler = new TimerWheel.Timeout() {
            @Override
            protected void onTimeout(long nowNs) {
                wheel.cancel(cancelled);
                wheel.schedule(moved, 8 * TICK + 5); // same slot, next revolution
            }
        };
        wheel.schedule(meddler, 5);
        wheel.schedule(cancelled, 5);
        wheel.schedule(moved, 5);
        wheel.schedule(last, 5);
        wheel.poll(10, 100);
        assertTrue(cancelled.firedAt.isEmpty());
        assertTrue(moved.firedAt.isEmpty(), "moved a revolution on");
        assertEquals(List.of(10L), last.firedAt, "the rest of the slot still fires on time");
        wheel.poll(8 * TICK + 10, 100);
        assertEquals(1, moved.firedAt.size());
    }

    @Test
    void anIdleLoopSleepsUntilTheTickThatHoldsATimeoutNotJustTheNextTick() {
        long ms = 1_000_000;
        TimerWheel wheel = new TimerWheel(10 * ms, 512, 0);
        assertEquals(0, wheel.millisToNextTimeout(0, 100), "no timeouts: block until woken");
        Recorded far = new Recorded();
        wheel.schedule(far, (512L * 100 + 300) * 10 * ms); // slot 300: far from the ticks looked at below
        assertEquals(10, wheel.millisToNextTick(0), "tick by tick, as under a clock a test moves");
        assertEquals(1000, wheel.millisToNextTimeout(0, 100), "nothing due within 100 ticks: wake after them");
        Recorded near = new Recorded();
        wheel.schedule(near, 35 * ms);
        assertEquals(40, wheel.millisToNextTimeout(0, 100), "wake when tick 3 (30-39 ms) has elapsed");
        assertEquals(38, wheel.millisToNextTimeout(2 * ms, 100));
        wheel.poll(40 * ms, 100);
        assertEquals(List.of(40 * ms), near.firedAt);
        assertEquals(1000, wheel.millisToNextTimeout(40 * ms, 100), "from tick 4 on, 100 empty ticks again");
    }
}
