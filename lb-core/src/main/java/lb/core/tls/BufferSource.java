package lb.core.tls;

import java.nio.ByteBuffer;

/**
 * Where a {@link TlsLayer} borrows its buffers, and gives them back as soon as they drain. Called
 * only on the thread that drives the layer, so an implementation over a loop's pool needs no
 * locks. An event loop would answer from its {@code BufferPool} when {@code minCapacity} fits the
 * pool's size and allocate otherwise.
 */
public interface BufferSource {
    /** A cleared buffer (position 0, limit = capacity) of at least {@code minCapacity} bytes. */
    ByteBuffer take(int minCapacity);

    /** Gives back a buffer from {@link #take}; the caller keeps no reference to it. */
    void give(ByteBuffer buffer);

    /** Fresh heap buffers of exactly the size asked, left to the collector when given back. */
    static BufferSource heap() {
        return new BufferSource() {
            @Override
            public ByteBuffer take(int minCapacity) {
                return ByteBuffer.allocate(minCapacity);
            }

            @Override
            public void give(ByteBuffer buffer) {
            }
        };
    }
}
