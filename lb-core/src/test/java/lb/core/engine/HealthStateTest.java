package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HealthStateTest {

    @Test
    void anUpServerGoesDownAfterFallFailuresAndComesBackAfterRisePasses() {
        HealthState s = new HealthState(2, 3);
        assertTrue(s.isUp());
        assertFalse(s.record(false));
        assertFalse(s.record(false));
        assertTrue(s.record(false), "third failure: down");
        assertFalse(s.isUp());
        assertFalse(s.record(true));
        assertTrue(s.record(true), "second pass: up");
        assertTrue(s.isUp());
    }

    @Test
    void aPassResetsTheFailureRunOnceUp() {
        HealthState s = new HealthState(2, 3);
        s.record(false);
        s.record(false);
        s.record(true);
        assertFalse(s.record(false));
        assertFalse(s.record(false));
        assertTrue(s.record(false));
    }

    /** From up: down exactly after `fall` failures in a row; from down: up after `rise` passes. */
    @Property(tries = 300)
    void transitionsNeedExactlyFallFailuresOrRisePassesInARow(
            @ForAll @IntRange(min = 1, max = 6) int rise,
            @ForAll @IntRange(min = 1, max = 6) int fall,
            @ForAll @Size(max = 60) List<Boolean> results) {
        HealthState s = new HealthState(rise, fall);
        boolean up = true;
        int run = 0;
        Boolean last = null;
        for (boolean passed : results) {
            run = last != null && last == passed ? run + 1 : 1;
            last = passed;
            boolean changed = s.record(passed);
            boolean expectChange = up ? !passed && run >= fall : passed && run >= rise;
            // once the run reaches the threshold the state flips; later results in the run change nothing
            if (expectChange) {
                up = !up;
                run = 0;
                last = null;
            }
            assertEquals(expectChange, changed);
            assertEquals(up, s.isUp());
        }
    }
}
