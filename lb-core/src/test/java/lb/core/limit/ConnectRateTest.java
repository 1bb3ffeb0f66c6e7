package lb.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The connect rate's bucket, on a time of the test's own. */
class ConnectRateTest {
    private static final long MS = 1_000_000L;

    @Test
    void connectionsAreSpacedAtTheRateAfterABurstOfTwentyMilliseconds() {
        ConnectRate rate = new ConnectRate();
        long t = 5_000 * MS;
        int granted = 0;
        while (rate.tryTake(t, 500)) {
            granted++;
        }
        assertEquals(10, granted, "20 ms worth, 2 ms apart");
        assertFalse(rate.tryTake(t + MS, 500));
        assertTrue(rate.tryTake(t + 2 * MS, 500), "one more every 2 ms");
        int inASecond = 0;
        for (long now = t + 2 * MS; now < t + 1_002 * MS; now += MS) {
            while (rate.tryTake(now, 500)) {
                inASecond++;
            }
        }
        assertTrue(inASecond <= 500, "no more than the rate a second once spent: " + inASecond);
    }

    @Test
    void aLowRateHasABurstOfOne() {
        ConnectRate rate = new ConnectRate();
        assertTrue(rate.tryTake(0, 10));
        assertFalse(rate.tryTake(0, 10));
        assertEquals(100 * MS, rate.nanosUntilNext(0, 10));
        assertFalse(rate.tryTake(99 * MS, 10));
        assertTrue(rate.tryTake(100 * MS, 10));
    }

    @Test
    void noLimitGrantsEverythingAndAGivenBackConnectionCanBeTakenAgain() {
        ConnectRate rate = new ConnectRate();
        for (int i = 0; i < 1_000; i++) {
            assertTrue(rate.tryTake(0, 0));
        }
        assertTrue(rate.tryTake(0, 10));
        assertEquals(0, rate.available(0, 10));
        rate.giveBack(10);
        assertEquals(1, rate.available(0, 10));
        assertTrue(rate.tryTake(0, 10));
    }

    @Test
    void loopsRacingForTheBucketTakeNoMoreThanItHolds() throws Exception {
        ConnectRate rate = new ConnectRate();
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (int k = 0; k < 10_000; k++) {
                    if (rate.tryTake(7 * MS, 1_000)) {
                        granted.incrementAndGet();
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(20, granted.get(), "20 ms worth at 1,000 a second, at one instant");
    }
}
