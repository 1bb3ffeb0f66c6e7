package lb.core.stick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LruStickTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration IDLE = Duration.ofSeconds(60);

    /** One step of a random workload: what to do, to which key, how much time passes first. */
    record Op(int kind, int key, long advanceNs) {
    }

    @Provide
    Arbitrary<List<Op>> workload() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 400),
                Arbitraries.longs().between(0, 3 * SECOND)
        ).as(Op::new).list().ofMinSize(1).ofMaxSize(600);
    }

    @Property(tries = 150)
    void sizeNeverExceedsCapacityAndMatchesWhatIterationSees(
            @ForAll @IntRange(min = 1, max = 300) int capacity, @ForAll("workload") List<Op> ops) {
        LruStickTable table = new LruStickTable(capacity, IDLE, 32, Duration.ofSeconds(10));
        long now = 0;
        for (Op op : ops) {
            now += op.advanceNs();
            apply(table, op, now);
            assertTrue(table.size() <= capacity, "size " + table.size() + " over capacity " + capacity);
        }
        table.removeExpired(now);
        List<StickEntry> seen = new ArrayList<>();
        table.forEach(now, seen::add);
        assertEquals(table.size(), seen.size());
    }

    @Property(tries = 150)
    void withRoomAndBeforeExpiryEveryKeyReadsBackWhatWasLastStored(@ForAll("workload") List<Op> ops) {
        LruStickTable table = new LruStickTable(1_000, Duration.ofDays(1), 32);
        Map<String, String> model = new HashMap<>();
        long now = 0;
        for (Op op : ops) {
            now += op.advanceNs();
            String key = "client-" + op.key();
            switch (op.kind()) {
                case 0, 1 -> {
                    String server = "s" + (op.key() + op.kind()) % 5;
                    assertTrue(table.store(key, server, now));
                    model.put(key, server);
                }
                case 2 -> assertEquals(model.remove(key) != null, table.remove(key));
                default -> assertEquals(model.get(key), table.lookup(key, now));
            }
            assertEquals(model.size(), table.size());
        }
    }

    @Property(tries = 150)
    void anEntryReadBeforeItsIdleExpiryIsThereAndOnePastItIsGone(
            @ForAll @LongRange(min = 1, max = 3_600) long idleSeconds, @ForAll @LongRange(min = 0, max = 7_200) long waitSeconds,
            @ForAll long startNs) {
        LruStickTable table = new LruStickTable(100, Duration.ofSeconds(idleSeconds), 32);
        table.store("client", "s1", startNs);
        long readAt = startNs + waitSeconds * SECOND;
        if (waitSeconds < idleSeconds) {
            assertEquals("s1", table.lookup("client", readAt));
            assertEquals("s1", table.lookup("client", readAt + (idleSeconds * SECOND - 1)), "a read restarts the idle time");
        } else {
            assertNull(table.lookup("client", readAt));
            assertEquals(0, table.size(), "an expired entry is reclaimed when met");
        }
    }

    @Test
    void atCapacityTheLeastRecentlyUsedEntryGoes() {
        LruStickTable table = new LruStickTable(3, IDLE, 32);
        table.store("a", "s1", 1);
        table.store("b", "s1", 2);
        table.store("c", "s1", 3);
        table.lookup("a", 4);
        table.store("d", "s2", 5);
        assertEquals(3, table.size());
        assertNull(table.lookup("b", 6));
        assertEquals("s1", table.lookup("a", 6));
        assertEquals("s1", table.lookup("c", 6));
        assertEquals("s2", table.lookup("d", 6));
    }

    @Test
    void storingAgainRepointsTheKey() {
        LruStickTable table = new LruStickTable(10, IDLE, 32);
        table.store("client", "broker-a", 1);
        table.store("client", "broker-b", 2);
        assertEquals("broker-b", table.lookup("client", 3));
        assertEquals(1, table.size());
    }

    @Test
    void countersTrackLiveConnectionsAndTheirRateOverASlidingPeriod() {
        LruStickTable table = new LruStickTable(10, IDLE, 32, Duration.ofSeconds(10));
        long t = 100 * SECOND;
        for (int i = 1; i <= 5; i++) {
            assertEquals(i, table.countConnection("client", t + i));
        }
        assertEquals(5, table.connections("client", t + 10));
        assertNull(table.lookup("client", t + 10), "counted, but not sent anywhere yet");
        table.releaseConnection("client", t + 20);
        table.releaseConnection("client", t + 20);
        assertEquals(3, table.connections("client", t + 30));
        // A quarter into the next period, three quarters of the last one still count.
        assertEquals(3, table.connectionRate("client", t + 12_500_000_000L));
        assertEquals(0, table.connectionRate("client", t + 25 * SECOND));
    }

    @Test
    void anEntryInUseNeitherExpiresNorIsEvicted() {
        LruStickTable table = new LruStickTable(2, Duration.ofSeconds(10), 32, Duration.ofSeconds(1));
        table.countConnection("connected", 0);
        table.store("connected", "s1", 0);
        assertEquals("s1", table.lookup("connected", 3_600 * SECOND), "in use an hour later");
        table.store("b", "s2", 3_600 * SECOND + 1);
        table.store("c", "s2", 3_600 * SECOND + 2);
        assertEquals("s1", table.lookup("connected", 3_600 * SECOND + 3), "eviction passed over it");
        table.releaseConnection("connected", 3_601 * SECOND);
        assertEquals("s1", table.lookup("connected", 3_610 * SECOND - 1));
        assertNull(table.lookup("connected", 3_620 * SECOND), "idle since the release: expired");
    }

    @Test
    void aTableFullOfEntriesInUseRefusesNewKeys() {
        LruStickTable table = new LruStickTable(2, IDLE, 32, Duration.ofSeconds(1));
        table.countConnection("a", 0);
        table.countConnection("b", 0);
        assertFalse(table.store("c", "s1", 1));
        assertEquals(0, table.countConnection("c", 1));
        assertEquals(2, table.size());
    }

    @Test
    void removeExpiredReclaimsEverythingIdleAndClearEmpties() {
        LruStickTable table = new LruStickTable(10_000, Duration.ofSeconds(10), 32);
        for (int i = 0; i < 5_000; i++) {
            table.store("k" + i, "s", i < 1_000 ? 0 : 8 * SECOND);
        }
        assertEquals(1_000, table.removeExpired(10 * SECOND));
        assertEquals(4_000, table.size());
        table.clear();
        assertEquals(0, table.size());
        assertNull(table.lookup("k4000", 11 * SECOND));
    }

    @Test
    void iterationShowsServerIdleTimeAndCounters() {
        LruStickTable table = new LruStickTable(10, IDLE, 32, Duration.ofSeconds(10));
        table.store("client", "broker-a", SECOND);
        table.countConnection("client", 2 * SECOND);
        List<StickEntry> seen = new ArrayList<>();
        table.forEach(5 * SECOND, seen::add);
        assertEquals(List.of(new StickEntry("client", "broker-a", 3 * SECOND, 1, 1)), seen);
    }

    @Test
    void binaryKeysAreOneCharacterPerByte() {
        LruStickTable table = new LruStickTable(10, IDLE, 4);
        byte[] address = {(byte) 192, 0, 2, (byte) 200};
        String key = StickTable.bytesKey(address, 0, 4);
        assertEquals(4, key.length());
        table.store(key, "s1", 1);
        assertEquals("s1", table.lookup(StickTable.bytesKey(address.clone(), 0, 4), 2));
    }

    @Test
    void rejectsSettingsThatMakeNoSense() {
        assertThrows(IllegalArgumentException.class, () -> new LruStickTable(0, IDLE, 32));
        assertThrows(IllegalArgumentException.class, () -> new LruStickTable(10, Duration.ZERO, 32));
        assertThrows(IllegalArgumentException.class, () -> new LruStickTable(10, IDLE, 0));
        assertThrows(IllegalArgumentException.class, () -> new LruStickTable(10, IDLE, 32, Duration.ofSeconds(-1)));
    }

    private static void apply(LruStickTable table, Op op, long now) {
        String key = "k" + op.key();
        switch (op.kind()) {
            case 0, 1 -> table.store(key, "s" + op.kind(), now);
            case 2 -> table.lookup(key, now);
            case 3 -> table.remove(key);
            case 4 -> table.countConnection(key, now);
            default -> table.releaseConnection(key, now);
        }
    }
}
