package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Which earlier sample a snapshot measures its rates from. */
class RateWindowTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aReferenceYoungerThanASecondIsNotUsed() {
        RateWindow w = new RateWindow();
        assertNull(w.reference(0));
        w.add(new RateWindow.Sample(0));
        assertNull(w.reference(SECOND / 2));
        assertEquals(0, w.reference(SECOND).nanos);
    }

    @Test
    void frequentSnapshotsMeasureOverAboutTenSeconds() {
        RateWindow w = new RateWindow();
        for (long t = 0; t <= 60 * SECOND; t += SECOND / 4) {
            RateWindow.Sample ref = w.reference(t);
            if (t >= 11 * SECOND) {
                long age = t - ref.nanos;
                assertEquals(true, age >= 10 * SECOND && age < 11 * SECOND, "age " + age + " at " + t);
            }
            w.add(new RateWindow.Sample(t));
        }
    }

    @Test
    void rareSnapshotsMeasureFromThePreviousOne() {
        RateWindow w = new RateWindow();
        RateWindow.Sample first = new RateWindow.Sample(0);
        w.add(first);
        assertSame(first, w.reference(60 * SECOND));
        RateWindow.Sample second = new RateWindow.Sample(60 * SECOND);
        w.add(second);
        assertSame(second, w.reference(120 * SECOND));
    }

    @Test
    void samplesCloserThanASecondAreNotKept() {
        RateWindow w = new RateWindow();
        w.add(new RateWindow.Sample(0));
        w.add(new RateWindow.Sample(SECOND / 2));
        assertEquals(0, w.reference(SECOND).nanos, "the half-second sample was never kept");
    }

    @Test
    void ratesArePerSecondAndNeverNegative() {
        assertEquals(50.0, RateWindow.perSecond(600, 100, 10 * SECOND));
        assertEquals(0.0, RateWindow.perSecond(100, 600, 10 * SECOND), "a counter that went back");
        assertEquals(0.0, RateWindow.perSecond(600, 100, 0), "no interval, no rate");
    }
}
