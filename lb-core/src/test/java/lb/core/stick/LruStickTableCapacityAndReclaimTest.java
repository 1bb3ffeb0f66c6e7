package lb.core.stick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The table's capacity is hard and exact however many segments it is split into, expired
 * entries are reclaimed by insertions without a sweeper, and the clock gives used entries a
 * second chance (see {@link LruStickTable} and {@link StickSegment}).
 */
class LruStickTableCapacityAndReclaimTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration IDLE = Duration.ofSeconds(60);

    @Test
    void aLargeTableOverfilledHoldsExactlyItsCapacityAcrossAllSegments() {
        // 10,007 over 64 segments: shares of 156 and 157 that must add up to the capacity exactly.
        LruStickTable table = new LruStickTable(10_007, Duration.ofDays(1), 32);
        for (int i = 0; i < 60_000; i++) {
            table.store("client-" + i, "s", i);
        }
        assertEquals(10_007, table.size(), "every segment full, and the shares sum to the capacity");
        List<StickEntry> seen = new ArrayList<>();
        table.forEach(60_000, seen::add);
        assertEquals(10_007, seen.size());
    }

    @Test
    void keysWithACommonPrefixSpreadEvenlySoAFullTableLosesFewEarly() {
        // The class promises about 0.7% evicted early for 200,000 keys in 200,000 entries: the
        // seeded hash spreads keys over the segments within a few percent of one another.
        LruStickTable table = new LruStickTable(200_000, Duration.ofDays(1), 32);
        for (int i = 0; i < 200_000; i++) {
            table.store("device-" + i, "s", i);
        }
        assertTrue(table.size() >= 196_000, "kept " + table.size() + " of 200,000");
        assertEquals(200_000, table.capacity());
    }

    @Test
    void aTableOfOneEntryHoldsTheLastKeyStored() {
        LruStickTable table = new LruStickTable(1, IDLE, 32);
        assertEquals(1, table.capacity());
        assertTrue(table.store("a", "s1", 1));
        assertTrue(table.store("b", "s2", 2));
        assertEquals(1, table.size());
        assertNull(table.lookup("a", 3));
        assertEquals("s2", table.lookup("b", 3));
    }

    @Test
    void aSmallTableIsOneSegmentSoItsLeastRecentlyUsedKeyGoesFirst() {
        // Under 128 entries the table keeps one segment: eviction is exact LRU order by clock.
        LruStickTable table = new LruStickTable(100, IDLE, 32);
        for (int i = 0; i < 100; i++) {
            table.store("k" + i, "s", i);
        }
        table.store("k100", "s", 100);
        assertEquals(100, table.size());
        assertNull(table.lookup("k0", 101), "the oldest untouched key made room");
        assertEquals("s", table.lookup("k1", 101));
    }

    @Test
    void storingANewKeyReclaimsExpiredEntriesWithoutALookupOrASweep() {
        LruStickTable table = new LruStickTable(100, Duration.ofSeconds(10), 32);
        table.store("old-1", "s", 0);
        table.store("old-2", "s", 0);
        assertEquals(2, table.size());
        table.store("new", "s", 10 * SECOND);
        assertEquals(1, table.size(), "both expired entries at the old end were reclaimed by the insertion");
        assertEquals("s", table.lookup("new", 10 * SECOND + 1));
    }

    @Test
    void anInsertionStopsReclaimingAtTheFirstLiveEntry() {
        LruStickTable table = new LruStickTable(100, Duration.ofSeconds(10), 32);
        table.store("live", "s", 5 * SECOND);
        table.store("expired-later-in-the-list", "s", 0);
        table.store("new", "s", 11 * SECOND);
        assertEquals(3, table.size(), "the live entry at the old end stops the reclaiming");
        assertEquals(1, table.removeExpired(11 * SECOND));
        assertEquals(2, table.size());
    }

    @Test
    void anEntryInUseAtTheOldEndIsPassedOverByReclaimingAndStays() {
        LruStickTable table = new LruStickTable(100, Duration.ofSeconds(10), 32, Duration.ofSeconds(1));
        table.countConnection("connected", 0);
        table.store("idle", "s", 0);
        table.store("new", "s", 20 * SECOND);
        assertEquals(2, table.size(), "the idle entry went, the one in use stayed");
        assertEquals(1, table.connections("connected", 20 * SECOND));
        assertEquals(0, table.connections("idle", 20 * SECOND));
    }

    @Test
    void whenEveryEntryWasUsedAgainTheClockStillEvictsOneAndTheTableStaysFull() {
        LruStickTable table = new LruStickTable(3, IDLE, 32);
        table.store("a", "s", 1);
        table.store("b", "s", 2);
        table.store("c", "s", 3);
        table.lookup("a", 4);
        table.lookup("b", 5);
        table.lookup("c", 6);
        assertTrue(table.store("d", "s", 7), "second chances are spent, then the oldest goes");
        assertEquals(3, table.size());
        assertNull(table.lookup("a", 8));
        assertEquals("s", table.lookup("d", 8));
    }

    @Test
    void afterEightSecondChancesTheNextEntryGoesEvenThoughItWasUsed() {
        // Nine entries, all used again: the first eight get their second chance (the work per
        // eviction stays bounded), and the ninth goes although it was used too.
        LruStickTable table = new LruStickTable(9, IDLE, 32);
        for (int i = 1; i <= 9; i++) {
            table.store("k" + i, "s", i);
        }
        for (int i = 1; i <= 9; i++) {
            table.lookup("k" + i, 10 + i);
        }
        assertTrue(table.store("new", "s", 30));
        assertNull(table.lookup("k9", 31));
        for (int i = 1; i <= 8; i++) {
            assertEquals("s", table.lookup("k" + i, 31), "k" + i);
        }
    }

    @Test
    void withTheFirstEntriesInUseEvictionLooksFurtherForOneThatIsNot() {
        // Sixteen entries in use, counted first, fill the old end (each insertion also moves
        // in-use entries it meets there to the new end): the first scan passes eight of them over
        // without finding one to evict, and the second evicts the oldest entry not in use.
        LruStickTable table = new LruStickTable(20, IDLE, 32, Duration.ofSeconds(1));
        for (int i = 0; i < 16; i++) {
            table.countConnection("busy" + i, i);
        }
        for (int i = 0; i < 4; i++) {
            table.store("idle" + i, "s", 100 + i);
        }
        assertTrue(table.store("new", "s", 200));
        assertEquals(20, table.size());
        for (int i = 0; i < 16; i++) {
            assertEquals(1, table.connections("busy" + i, 201), "an entry in use is never evicted");
        }
        assertNull(table.lookup("idle0", 201), "the oldest entry not in use made room");
        assertEquals("s", table.lookup("idle1", 201));
    }

    @Test
    void aTableWithoutCountersCountsNothingAndSaysSo() {
        LruStickTable table = new LruStickTable(10, IDLE, 32);
        assertFalse(table.countsConnections());
        assertEquals(0, table.countConnection("client", 1));
        table.releaseConnection("client", 2);
        assertEquals(0, table.connections("client", 3));
        assertEquals(0, table.connectionRate("client", 3));
        assertEquals(0, table.size(), "counting in a table without counters stores nothing");
        table.store("client", "s", 4);
        List<StickEntry> seen = new ArrayList<>();
        table.forEach(5, seen::add);
        assertEquals(List.of(new StickEntry("client", "s", 1, 0, 0)), seen);
    }

    @Test
    void releasingMoreThanWasCountedNeverGoesBelowZero() {
        LruStickTable table = new LruStickTable(10, Duration.ofSeconds(10), 32, Duration.ofSeconds(1));
        table.countConnection("client", 0);
        table.releaseConnection("client", 1);
        table.releaseConnection("client", 2);
        assertEquals(0, table.connections("client", 3));
        table.countConnection("client", 4);
        assertEquals(1, table.connections("client", 5), "one count after the extra release is one");
        table.releaseConnection("unknown", 6);
        assertEquals(0, table.connections("unknown", 6));
    }

    @Test
    void idleTimeStartsWhenTheLastConnectionIsReleased() {
        LruStickTable table = new LruStickTable(10, Duration.ofSeconds(10), 32, Duration.ofSeconds(1));
        table.countConnection("client", 0);
        table.store("client", "s", 0);
        table.releaseConnection("client", 100 * SECOND);
        assertEquals("s", table.lookup("client", 109 * SECOND), "idle for 9 s since the release");
        assertNull(table.lookup("client", 120 * SECOND));
    }

    @Test
    void anExpiryTooLongForNanosecondsMeansNeverExpiring() {
        LruStickTable table = new LruStickTable(10, Duration.ofSeconds(Long.MAX_VALUE), 32);
        table.store("client", "s", 0);
        assertEquals("s", table.lookup("client", Long.MAX_VALUE / 2));
    }

    @Test
    void theRateCarriesTheLastPeriodIntoTheWindowButForgetsOlderOnes() {
        LruStickTable table = new LruStickTable(10, IDLE, 32, Duration.ofSeconds(10));
        long period = 10 * SECOND;
        long p = 50 * period;
        for (int i = 0; i < 4; i++) {
            table.countConnection("client", p + i);
        }
        // Exactly at the next period's start the whole last period is still in the window.
        assertEquals(4, table.connectionRate("client", p + period));
        assertEquals(5, table.countConnection("client", p + period));
        // Half-way through it, half of the last period counts.
        assertEquals(1 + 2, table.connectionRate("client", p + period + period / 2));
        // Two periods later nothing counted before is in the window any more.
        assertEquals(0, table.connectionRate("client", p + 3 * period));
        assertEquals(1, table.countConnection("client", p + 3 * period), "counting restarts from this one");
        assertEquals(1, table.connectionRate("client", p + 3 * period + 1));
    }

    @Test
    void iterationLeavesOutExpiredEntriesAndShowsACountedKeyWithoutAServer() {
        LruStickTable table = new LruStickTable(10, Duration.ofSeconds(10), 32, Duration.ofSeconds(100));
        table.store("gone", "s", 0);
        table.countConnection("counted", 5 * SECOND);
        List<StickEntry> seen = new ArrayList<>();
        table.forEach(12 * SECOND, seen::add);
        assertEquals(List.of(new StickEntry("counted", null, 7 * SECOND, 1, 1)), seen);
    }
}
