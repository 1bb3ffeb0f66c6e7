package lb.core.tls;

import java.nio.ByteBuffer;

/**
 * Bytes waiting in one buffer that is borrowed from a {@link BufferSource} only while it holds
 * some. Not thread-safe: owned by its {@link TlsLayer}'s thread.
 *
 * <p>Invariant between calls: the buffer is null, or in read mode (position..limit are the bytes
 * waiting). Writing goes {@link #beginWrite} (write mode after the waiting bytes) then
 * {@link #endWrite}; {@link #releaseIfEmpty} gives an emptied buffer back.
 */
final class BorrowedBuffer {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final BufferSource source;
    private ByteBuffer buffer;

    BorrowedBuffer(BufferSource source) {
        this.source = source;
    }

    /** The waiting bytes in read mode (a read-only empty buffer when none); valid until the next write. */
    ByteBuffer bytes() {
        return buffer == null ? EMPTY : buffer;
    }

    boolean hasBytes() {
        return buffer != null && buffer.hasRemaining();
    }

    boolean isBorrowed() {
        return buffer != null;
    }

    /** Whether {@code free} bytes fit after the waiting ones; borrows a buffer of that size if none is held. */
    boolean hasRoom(int free) {
        if (buffer == null) {
            buffer = borrow(free);
        }
        return buffer.capacity() - buffer.remaining() >= free;
    }

    /** Makes {@code free} bytes fit after the waiting ones, moving them to a larger buffer if need be. */
    void makeRoom(int free) {
        if (!hasRoom(free)) {
            replace(buffer.remaining() + free);
        }
    }

    /** Appends all of {@code in}, in a buffer of at least {@code minCapacity}. */
    void append(ByteBuffer in, int minCapacity) {
        int needed = in.remaining() + (buffer == null ? 0 : buffer.remaining());
        if (buffer == null) {
            buffer = borrow(Math.max(minCapacity, needed));
        } else if (buffer.capacity() < needed) {
            replace(Math.max(minCapacity, needed));
        }
        beginWrite().put(in);
        endWrite();
    }

    /**
     * The buffer in write mode, its position after the waiting bytes; it must be borrowed. Copies
     * the waiting bytes to the front only when some were consumed.
     */
    ByteBuffer beginWrite() {
        if (buffer.position() == 0) {
            buffer.position(buffer.limit()).limit(buffer.capacity());
        } else {
            buffer.compact();
        }
        return buffer;
    }

    /** Back to read mode after {@link #beginWrite}. */
    void endWrite() {
        buffer.flip();
    }

    int capacity() {
        return buffer == null ? 0 : buffer.capacity();
    }

    void releaseIfEmpty() {
        if (buffer != null && !buffer.hasRemaining()) {
            release();
        }
    }

    /** Gives the buffer back, dropping whatever it still holds. */
    void release() {
        if (buffer != null) {
            source.give(buffer);
            buffer = null;
        }
    }

    private void replace(int capacity) {
        ByteBuffer larger = borrow(capacity);
        larger.limit(larger.capacity()).put(buffer).flip();
        source.give(buffer);
        buffer = larger;
    }

    /** An empty buffer in read mode (position = limit = 0) of at least {@code minCapacity}. */
    private ByteBuffer borrow(int minCapacity) {
        ByteBuffer b = source.take(minCapacity);
        if (b.capacity() < minCapacity) {
            throw new IllegalStateException("buffer source gave " + b.capacity() + " bytes for " + minCapacity);
        }
        return b.clear().limit(0);
    }
}
