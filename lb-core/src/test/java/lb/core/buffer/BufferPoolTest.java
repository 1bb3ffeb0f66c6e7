package lb.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import lb.core.limit.MemoryBudget;

import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void buffersAreReusedAndAccountedFor() {
        BufferPool pool = new BufferPool(1024, 2, new MemoryBudget(1 << 20));
        ByteBuffer a = pool.take();
        a.put((byte) 1);
        assertEquals(1, pool.inUse());
        pool.give(a);
        assertEquals(0, pool.inUse());
        ByteBuffer again = pool.take();
        assertSame(a, again, "the freed buffer is lent again");
        assertEquals(0, again.position(), "cleared");
        assertTrue(again.isDirect());
        assertEquals(1, pool.created());
    }

    @Test
    void atMostMaxIdleFreeBuffersAreKept() {
        BufferPool pool = new BufferPool(1024, 2, new MemoryBudget(1 << 20));
        ByteBuffer[] lent = {pool.take(), pool.take(), pool.take()};
        for (ByteBuffer b : lent) {
            pool.give(b);
        }
        assertEquals(2, pool.idle());
        assertEquals(0, pool.inUse());
    }

    @Test
    void aSpentBudgetLendsHeapBuffersAndKeepsDirectMemoryWithinIt() {
        MemoryBudget budget = new MemoryBudget(2048);
        BufferPool pool = new BufferPool(1024, 0, budget);
        ByteBuffer a = pool.take();
        ByteBuffer b = pool.take();
        ByteBuffer c = pool.take();
        assertTrue(a.isDirect() && b.isDirect());
        assertTrue(!c.isDirect(), "the third buffer would pass the budget");
        assertEquals(1, pool.overBudget());
        assertEquals(2048, budget.usedBytes());
        pool.give(c);
        pool.give(a);
        assertEquals(1024, budget.usedBytes(), "a direct buffer not kept idle gives its bytes back");
        assertEquals(1, pool.inUse());
    }
}
