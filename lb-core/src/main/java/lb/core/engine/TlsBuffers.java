package lb.core.engine;

import java.nio.ByteBuffer;

import lb.core.buffer.BufferPool;
import lb.core.limit.MemoryBudget;
import lb.core.tls.BufferSource;

/**
 * One loop's buffers for TLS: a pool of record-sized buffers that TLS layers borrow only while
 * bytes are in flight, and the one buffer every TLS read on the loop lands in. Made the first
 * time a TLS tunnel needs them, so a loop without TLS holds none. Owned by the loop's thread.
 *
 * <p>On the heap, unlike the plain path's: records are decrypted in the buffer they arrive in
 * and encrypted in the one they leave from, and the JDK's AES-GCM allocates temporary arrays
 * for every record it handles in a direct buffer (a third of a TLS tunnel's garbage). The
 * socket's copy through the JDK's own direct buffer costs less.
 */
final class TlsBuffers implements BufferSource {
    /** Above the JDK's largest TLS packet (16,709 B) and application (16,704 B) buffer sizes. */
    static final int SIZE = 17 * 1024;

    private final BufferPool pool;
    private long oversized;
    final ByteBuffer readBuffer = ByteBuffer.allocate(SIZE);

    TlsBuffers(int maxIdle, MemoryBudget budget) {
        this.pool = BufferPool.onHeap(SIZE, maxIdle, budget);
    }

    /**
     * A pooled buffer (charged to the memory budget). A larger one is rare and bounded: a
     * handshake flight with a long certificate chain, or a partial record behind a full read,
     * at most two records; it is made on the heap, uncharged, and counted.
     */
    @Override
    public ByteBuffer take(int minCapacity) {
        if (minCapacity <= SIZE) {
            return pool.take();
        }
        oversized++;
        return ByteBuffer.allocate(minCapacity);
    }

    @Override
    public void give(ByteBuffer buffer) {
        if (buffer.capacity() == SIZE) {
            pool.give(buffer);
        }
    }

    /** Buffers larger than a pooled one made so far. */
    long oversized() {
        return oversized;
    }

    BufferPool pool() {
        return pool;
    }
}
