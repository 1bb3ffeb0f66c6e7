package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import lb.core.limit.MemoryBudget;

/**
 * A client's first bytes, without sockets: whatever the chunks and the budget, what is held is
 * what arrived, memory grows only with the bytes (a first byte pins 256 B, never the cap), a
 * refused chunk changes nothing, and every byte charged comes back.
 */
class FirstBytesProperties {

    @Property(tries = 300)
    void heldBytesAreWhatArrivedAndTheBudgetIsExactlyTheBufferHeld(
            @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 3000) Integer> chunks,
            @ForAll @IntRange(min = 1024, max = 65536) int cap,
            @ForAll @IntRange(min = 512, max = 200_000) int budgetBytes) {
        MemoryBudget budget = new MemoryBudget(budgetBytes);
        FirstBytes first = new FirstBytes(budget);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        byte next = 0;
        for (int length : chunks) {
            int room = cap - first.size();
            if (room == 0) {
                break;
            }
            byte[] chunk = new byte[Math.min(length, room)];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = next++;
            }
            ByteBuffer arrived = ByteBuffer.wrap(chunk);
            int sizeBefore = first.size();
            if (first.append(arrived, cap)) {
                expected.write(chunk, 0, chunk.length);
                assertEquals(0, arrived.remaining(), "all of the chunk taken");
            } else {
                assertEquals(sizeBefore, first.size(), "a refused chunk adds nothing");
                assertEquals(chunk.length, arrived.remaining(), "and is left as it was");
            }
            long held = budget.usedBytes();
            assertTrue(held <= cap, "never more than the cap: " + held);
            assertTrue(held <= Math.max(FirstBytes.FIRST_SIZE, 2L * first.size()),
                    "memory grows with the bytes: " + held + " for " + first.size());
            assertTrue(held <= budgetBytes * 3L / 4, "within the admission share");
        }
        assertArrayEquals(expected.toByteArray(), bytes(first.view()));

        ByteBuffer handed = first.handOver();
        if (expected.size() == 0) {
            assertNull(handed);
            assertEquals(0, budget.usedBytes());
        } else {
            assertArrayEquals(expected.toByteArray(), bytes(handed));
            assertEquals(handed.capacity(), budget.usedBytes(), "the taker owns the charge");
            budget.release(handed.capacity());
        }
        assertEquals(0, first.size());
        assertEquals(0, budget.usedBytes());
    }

    @Property(tries = 100)
    void droppingAPrefixKeepsTheRestAndReleaseGivesEverythingBack(
            @ForAll @IntRange(min = 1, max = 5000) int length, @ForAll @IntRange(min = 0, max = 5000) int drop) {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        FirstBytes first = new FirstBytes(budget);
        byte[] all = new byte[length];
        for (int i = 0; i < length; i++) {
            all[i] = (byte) (i * 31);
        }
        assertTrue(first.append(ByteBuffer.wrap(all), 8192));
        int n = Math.min(drop, length);
        first.dropFirst(n);
        assertEquals(length - n, first.size());
        assertArrayEquals(java.util.Arrays.copyOfRange(all, n, length), bytes(first.view()));
        first.release();
        assertEquals(0, budget.usedBytes());
        assertEquals(0, first.size());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
