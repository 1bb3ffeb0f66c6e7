package lb.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import lb.core.config.SourceLimits;
import lb.core.limit.SourceTable.Admission;

/** Per-source counting on a clock the test moves by hand (times are nanoseconds). */
class SourceTableTest {
    private static final long SECOND = 1_000_000_000L;
    /** Far from 0, like a real nanoTime reading. */
    private static final long T0 = 1_000_000 * SECOND;

    private final SourceTable.Block[] counted = new SourceTable.Block[1];

    @Test
    void aBlockTakesItsLimitOfLiveConnectionsAndOneMoreWhenOneEnds() {
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnections(3).prefixes(32, 128));
        List<SourceTable.Block> live = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.1"), T0, counted));
            live.add(counted[0]);
        }
        assertEquals(Admission.TOO_MANY, table.admit(ip("10.0.0.1"), T0, counted));
        assertNull(counted[0], "a refused connection holds nothing");
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.2"), T0, counted), "another address, another count");
        counted[0].release(T0);
        assertEquals(3, table.connections(ip("10.0.0.1")));
        live.remove(0).release(T0 + 1);
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.1"), T0 + 2, counted));
        assertEquals(3, table.connections(ip("10.0.0.1")));
    }

    @Test
    void addressesOfOnePrefixShareACount() {
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnections(2)); // /24 and /64
        assertEquals(Admission.ADMITTED, table.admit(ip("198.51.100.1"), T0, counted));
        assertEquals(Admission.ADMITTED, table.admit(ip("198.51.100.200"), T0, counted));
        assertEquals(Admission.TOO_MANY, table.admit(ip("198.51.100.77"), T0, counted));
        assertEquals(Admission.ADMITTED, table.admit(ip("198.51.101.1"), T0, counted), "the next /24");
        assertEquals(Admission.ADMITTED, table.admit(ip("2001:db8:0:1::1"), T0, counted));
        assertEquals(Admission.ADMITTED, table.admit(ip("2001:db8:0:1:ffff::2"), T0, counted));
        assertEquals(Admission.TOO_MANY, table.admit(ip("2001:db8:0:1::3"), T0, counted), "one /64");
        assertEquals(Admission.ADMITTED, table.admit(ip("2001:db8:0:2::1"), T0, counted));
    }

    @Test
    void theRateCountsEveryAttemptAndForgetsThemAfterTwoPeriods() {
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnectionRate(3, Duration.ofSeconds(1)));
        long t = T0 - T0 % SECOND; // the start of a period
        for (int i = 0; i < 3; i++) {
            assertEquals(Admission.ADMITTED, table.admit(ip("10.1.1.1"), t + i, counted));
            counted[0].release(t + i); // short connections: the rate limits them, not the live count
        }
        assertEquals(Admission.TOO_FAST, table.admit(ip("10.1.1.1"), t + 10, counted));
        assertEquals(Admission.TOO_FAST, table.admit(ip("10.1.1.1"), t + SECOND / 2, counted),
                "a refused attempt counts too: a tight retry loop stays refused");
        assertEquals(5, table.connectionRate(ip("10.1.1.1"), t + SECOND / 2));
        // Half into the next period, half of the last one's 5 still lie in the window.
        assertEquals(2, table.connectionRate(ip("10.1.1.1"), t + SECOND + SECOND / 2));
        assertEquals(Admission.ADMITTED, table.admit(ip("10.1.1.1"), t + 2 * SECOND, counted));
    }

    @Test
    void aFullTableSweepsIdleBlocksAndOtherwiseCountsNothingNew() {
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnections(1).prefixes(32, 128)
                .table(2, Duration.ofSeconds(10)));
        table.admit(ip("10.0.0.1"), T0, counted);
        SourceTable.Block first = counted[0];
        table.admit(ip("10.0.0.2"), T0, counted);
        assertEquals(2, table.size());
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.3"), T0, counted), "full of live blocks: let in");
        assertNull(counted[0], "... uncounted");
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.3"), T0, counted), "so no limit holds it");
        assertEquals(2, table.uncounted());
        first.release(T0 + SECOND);
        // Idle for less than the expiry: still there.
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.4"), T0 + 5 * SECOND, counted));
        assertNull(counted[0]);
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.4"), T0 + 12 * SECOND, counted));
        assertNotNull(counted[0], "the idle block was swept, the new one counted");
        assertEquals(2, table.size());
        assertEquals(Admission.TOO_MANY, table.admit(ip("10.0.0.4"), T0 + 12 * SECOND, counted));
        first.release(T0 + 13 * SECOND); // a stale block's count comes back harmlessly
        assertEquals(Admission.TOO_MANY, table.admit(ip("10.0.0.4"), T0 + 13 * SECOND, counted));
    }

    @Test
    void aSweepStepLooksAtABoundedNumberOfBlocksAndTheNextGoesOnWhereItStopped() {
        int capacity = 1_000;
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnections(1).prefixes(32, 128)
                .table(capacity, Duration.ofSeconds(10)));
        for (int i = 0; i < capacity; i++) {
            table.admit(ip("10.0." + i / 256 + "." + i % 256), T0, counted);
            counted[0].release(T0); // idle from now on
        }
        long later = T0 + 60 * SECOND;
        table.admit(ip("10.9.0.1"), later, counted);
        assertNotNull(counted[0]);
        assertEquals(capacity - SourceTable.SWEEP_STEP + 1, table.size(),
                "one step removed " + SourceTable.SWEEP_STEP + " idle blocks, not all of them");
        int fresh = 1;
        for (int i = 0; i < 2 * capacity; i++) {
            table.admit(ip("10.8." + i / 256 + "." + i % 256), later, counted); // new sources that stay
            fresh += counted[0] != null ? 1 : 0;
        }
        assertEquals(capacity, table.size());
        assertEquals(capacity, fresh, "the idle blocks all went, step by step, to new sources");
        assertTrue(table.uncounted() >= capacity, "then, full of live blocks, new ones went uncounted");
    }

    @Test
    void newLimitValuesKeepTheCounts() {
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnections(1));
        table.admit(ip("10.0.0.1"), T0, counted);
        assertEquals(Admission.TOO_MANY, table.admit(ip("10.0.0.1"), T0, counted));
        SourceLimits more = SourceLimits.perSource().maxConnections(2);
        assertTrue(table.countsAlike(more));
        table.limits(more);
        assertEquals(Admission.ADMITTED, table.admit(ip("10.0.0.1"), T0, counted));
        assertEquals(Admission.TOO_MANY, table.admit(ip("10.0.0.1"), T0, counted));
    }

    /**
     * Whatever clients come and go, and however time moves: the table never holds more blocks
     * than its capacity, and a counted block's live count is exactly its admitted connections
     * not yet ended, never over the limit.
     */
    @Property(tries = 200)
    void countsStayExactAndTheTableBounded(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 99) Integer> steps,
                                           @ForAll @IntRange(min = 1, max = 6) int capacity,
                                           @ForAll @IntRange(min = 1, max = 4) int maxConnections) {
        SourceTable table = new SourceTable(SourceLimits.perSource().maxConnections(maxConnections).prefixes(32, 128)
                .table(capacity, Duration.ofSeconds(2)));
        Map<String, Deque<SourceTable.Block>> open = new HashMap<>();
        long now = T0;
        for (int step : steps) {
            String address = "10.0.0." + (step % 8);
            if (step >= 80) {
                now += (step - 79) * SECOND / 4; // time passes
            } else if (step >= 40) {
                Deque<SourceTable.Block> mine = open.get(address);
                if (mine != null && !mine.isEmpty()) {
                    mine.poll().release(now);
                }
            } else {
                Admission a = table.admit(ip(address), now, counted);
                if (a == Admission.ADMITTED && counted[0] != null) {
                    open.computeIfAbsent(address, k -> new ArrayDeque<>()).add(counted[0]);
                }
            }
            assertTrue(table.size() <= capacity, "size " + table.size() + " over capacity " + capacity);
            for (Map.Entry<String, Deque<SourceTable.Block>> e : open.entrySet()) {
                long stillCounted = e.getValue().stream().filter(b -> b.connections() > 0).count();
                int seen = table.connections(ip(e.getKey()));
                assertTrue(seen <= maxConnections, "over the limit: " + seen);
                assertTrue(seen == 0 || seen == e.getValue().size() || stillCounted > 0, "counts " + seen);
            }
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
