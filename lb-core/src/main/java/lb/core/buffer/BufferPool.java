package lb.core.buffer;

import java.nio.ByteBuffer;

import lb.core.limit.MemoryBudget;

/**
 * Per-loop free list of fixed-size buffers, direct or on the heap. Not thread-safe: owned by
 * its loop.
 *
 * <p>Buffers are lent only to hold bytes a write could not pass on, and given back as soon as
 * they drain, so an idle tunnel holds none. At most {@code maxIdle} free buffers are kept; the
 * rest are left to the collector. Every buffer is charged to the load balancer's
 * {@link MemoryBudget} while it exists; when the budget is spent, the pool lends an uncharged
 * heap buffer instead (counted), so bytes already read are never dropped and direct memory
 * never runs out.
 *
 * <p>Direct buffers suit socket reads and writes, which the JDK otherwise copies through a
 * direct buffer of its own. Heap buffers suit bytes that are encrypted or decrypted in place:
 * the JDK's AES-GCM works on the array, where over a direct buffer it copies through
 * temporary arrays it allocates for every record.
 */
public final class BufferPool {
    private final int bufferSize;
    private final ByteBuffer[] free;
    private final MemoryBudget budget;
    private final boolean direct;
    private int freeCount;
    private int inUse;
    /** Heap pools: buffers in use or free that are charged; the others were lent over budget. */
    private int charged;
    private long created;
    private long overBudget;

    /** A pool of direct buffers. */
    public BufferPool(int bufferSize, int maxIdle, MemoryBudget budget) {
        this(bufferSize, maxIdle, budget, true);
    }

    private BufferPool(int bufferSize, int maxIdle, MemoryBudget budget, boolean direct) {
        this.bufferSize = bufferSize;
        this.free = new ByteBuffer[maxIdle];
        this.budget = budget;
        this.direct = direct;
    }

    /** A pool of heap buffers, charged to {@code budget} as direct ones are. */
    public static BufferPool onHeap(int bufferSize, int maxIdle, MemoryBudget budget) {
        return new BufferPool(bufferSize, maxIdle, budget, false);
    }

    /** A cleared buffer of {@link #bufferSize()} bytes. */
    public ByteBuffer take() {
        inUse++;
        if (freeCount > 0) {
            ByteBuffer b = free[--freeCount];
            free[freeCount] = null;
            return b.clear();
        }
        if (!budget.tryReserve(bufferSize)) {
            overBudget++;
            return ByteBuffer.allocate(bufferSize);
        }
        created++;
        if (direct) {
            return ByteBuffer.allocateDirect(bufferSize);
        }
        charged++;
        return ByteBuffer.allocate(bufferSize);
    }

    /** Returns a buffer obtained from {@link #take()}. */
    public void give(ByteBuffer buffer) {
        inUse--;
        if (direct ? !buffer.isDirect() : charged <= inUse + freeCount) {
            // Lent over budget: the collector takes it. Heap buffers are alike, so while any
            // lent one is out (fewer charged than there are buffers), this one counts as it.
            return;
        }
        if (freeCount < free.length) {
            free[freeCount++] = buffer;
        } else {
            budget.release(bufferSize);
            if (!direct) {
                charged--;
            }
        }
    }

    /** The budget this pool's buffers are charged to. */
    public MemoryBudget budget() {
        return budget;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** Buffers lent out and not yet given back. */
    public int inUse() {
        return inUse;
    }

    /** Free buffers kept for reuse. */
    public int idle() {
        return freeCount;
    }

    /** Buffers allocated within the budget since the pool was made. */
    public long created() {
        return created;
    }

    /** Heap buffers lent because the memory budget was spent. */
    public long overBudget() {
        return overBudget;
    }
}
