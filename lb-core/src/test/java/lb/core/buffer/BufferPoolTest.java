package lb.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import lb.core.limit.MemoryBudget;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

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

    @Test
    void aHeapPoolChargesItsBuffersAndGivesTheBytesBackWhicheverComesBackFirst() {
        MemoryBudget budget = new MemoryBudget(2048);
        BufferPool pool = BufferPool.onHeap(1024, 1, budget);
        ByteBuffer a = pool.take();
        ByteBuffer b = pool.take();
        ByteBuffer c = pool.take();
        assertTrue(!a.isDirect() && !b.isDirect() && !c.isDirect());
        assertEquals(2048, budget.usedBytes(), "two charged, the third lent over budget");
        assertEquals(1, pool.overBudget());
        pool.give(a); // a charged one back while the uncharged one is out: it stands for that one
        assertEquals(2048, budget.usedBytes());
        assertEquals(0, pool.idle(), "not kept: a buffer kept idle must be charged");
        pool.give(c);
        assertEquals(1, pool.idle(), "kept, charged");
        pool.give(b);
        assertEquals(1024, budget.usedBytes(), "only the idle buffer is still charged");
        assertSame(c, pool.take(), "the idle one is lent again");
        assertEquals(1024, budget.usedBytes());
    }

    /**
     * Whatever order buffers are taken and given back in, a heap pool never charges more than
     * the budget, keeps idle only buffers it charged, and once all are back holds exactly its
     * idle ones charged.
     */
    @Property(tries = 300)
    void aHeapPoolsChargesMatchItsBuffers(@ForAll @Size(max = 60) List<@IntRange(min = -1, max = 9) Integer> steps,
                                          @ForAll @IntRange(min = 0, max = 3) int maxIdle) {
        MemoryBudget budget = new MemoryBudget(4 * 100);
        BufferPool pool = BufferPool.onHeap(100, maxIdle, budget);
        List<ByteBuffer> lent = new ArrayList<>();
        for (int step : steps) {
            if (step < 0 || lent.isEmpty()) {
                lent.add(pool.take());
            } else {
                pool.give(lent.remove(step % lent.size()));
            }
            assertTrue(budget.usedBytes() <= 400);
            assertTrue(budget.usedBytes() >= 100L * pool.idle(), "idle buffers are charged");
            assertTrue(budget.usedBytes() <= 100L * (pool.idle() + pool.inUse()), "no charge without a buffer");
        }
        lent.forEach(pool::give);
        assertEquals(100L * pool.idle(), budget.usedBytes());
    }
}
