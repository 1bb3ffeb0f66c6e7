package lb.core.buffer;

import java.nio.ByteBuffer;

import lb.core.limit.MemoryBudget;

/**
 * Per-loop free list of fixed-size direct buffers. Not thread-safe: owned by its loop.
 *
 * <p>Buffers are lent only to hold bytes a write could not pass on, and given back as soon as
 * they drain, so an idle tunnel holds none. At most {@code maxIdle} free buffers are kept; the
 * rest are left to the collector. Every direct buffer is charged to the load balancer's
 * {@link MemoryBudget} while it exists; when the budget is spent, the pool lends a heap buffer
 * instead (counted), so bytes already read are never dropped and direct memory never runs out.
 */
public final class BufferPool {
    private final int bufferSize;
    private final ByteBuffer[] free;
    private final MemoryBudget budget;
    private int freeCount;
    private int inUse;
    private long created;
    private long overBudget;

    public BufferPool(int bufferSize, int maxIdle, MemoryBudget budget) {
        this.bufferSize = bufferSize;
        this.free = new ByteBuffer[maxIdle];
        this.budget = budget;
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
        return ByteBuffer.allocateDirect(bufferSize);
    }

    /** Returns a buffer obtained from {@link #take()}. */
    public void give(ByteBuffer buffer) {
        inUse--;
        if (!buffer.isDirect()) {
            return; // lent over budget: the collector takes it
        }
        if (freeCount < free.length) {
            free[freeCount++] = buffer;
        } else {
            budget.release(bufferSize);
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

    /** Direct buffers allocated since the pool was made. */
    public long created() {
        return created;
    }

    /** Heap buffers lent because the memory budget was spent. */
    public long overBudget() {
        return overBudget;
    }
}
