package lb.examples.loadgen;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import lb.core.tls.BufferSource;

/**
 * The buffers one loop's TLS connections borrow while they hold bytes: a free list of
 * same-sized heap buffers (the JDK's engine works on arrays), bounded, so reads and writes in
 * the steady state reuse buffers rather than allocate. Not thread-safe: owned by one
 * {@link ClientLoop}.
 */
final class TlsBuffers implements BufferSource {
    /** More than a loop's connections hold at once in practice: a few per connection mid-read. */
    private static final int MAX_FREE = 256;

    private final int size;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    TlsBuffers(int size) {
        this.size = size;
    }

    @Override
    public ByteBuffer take(int minCapacity) {
        if (minCapacity > size) {
            return ByteBuffer.allocate(minCapacity); // larger than any record: not seen in practice, not kept
        }
        ByteBuffer b = free.pollFirst();
        return b != null ? b.clear() : ByteBuffer.allocate(size);
    }

    @Override
    public void give(ByteBuffer buffer) {
        if (buffer.capacity() == size && free.size() < MAX_FREE) {
            free.addFirst(buffer);
        }
    }
}
