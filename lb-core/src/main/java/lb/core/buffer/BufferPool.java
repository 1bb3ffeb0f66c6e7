package lb.core.buffer;

import java.nio.ByteBuffer;

/**
 * Per-loop free list of fixed-size direct buffers. Not thread-safe: owned by its loop.
 *
 * <p>Buffers are lent only to hold bytes a write could not pass on (or a client's first bytes
 * while they are inspected), and given back as soon as they drain, so an idle tunnel holds none.
 * At most {@code maxIdle} free buffers are kept; the rest are left to the collector.
 */
public final class BufferPool {
    private final int bufferSize;
    private final ByteBuffer[] free;
    private int freeCount;
    private int inUse;
    private long created;

    public BufferPool(int bufferSize, int maxIdle) {
        this.bufferSize = bufferSize;
        this.free = new ByteBuffer[maxIdle];
    }

    /** A cleared buffer of {@link #bufferSize()} bytes. */
    public ByteBuffer take() {
        inUse++;
        if (freeCount > 0) {
            ByteBuffer b = free[--freeCount];
            free[freeCount] = null;
            return b.clear();
        }
        created++;
        return ByteBuffer.allocateDirect(bufferSize);
    }

    /** Returns a buffer obtained from {@link #take()}. */
    public void give(ByteBuffer buffer) {
        inUse--;
        if (freeCount < free.length) {
            free[freeCount++] = buffer;
        }
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

    /** Buffers allocated since the pool was made. */
    public long created() {
        return created;
    }
}
