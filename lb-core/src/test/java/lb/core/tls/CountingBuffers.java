package lb.core.tls;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A buffer source that lends direct buffers of exactly the size asked, as a pool would, and
 * checks that every buffer given back was lent and is given back once.
 */
final class CountingBuffers implements BufferSource {
    private final Map<ByteBuffer, Boolean> lent = new IdentityHashMap<>();
    private long takes;
    private long gives;
    private int mostLent;

    @Override
    public ByteBuffer take(int minCapacity) {
        takes++;
        ByteBuffer buffer = ByteBuffer.allocateDirect(minCapacity);
        lent.put(buffer, Boolean.TRUE);
        mostLent = Math.max(mostLent, lent.size());
        return buffer;
    }

    @Override
    public void give(ByteBuffer buffer) {
        gives++;
        if (lent.remove(buffer) == null) {
            throw new AssertionError("given back but not lent, or given back twice");
        }
        // Scribble over it: a layer still reading it would see garbage.
        buffer.clear();
        while (buffer.hasRemaining()) {
            buffer.put((byte) 0x5A);
        }
    }

    /** Buffers lent and not yet given back. */
    int outstanding() {
        return lent.size();
    }

    long takes() {
        return takes;
    }

    long gives() {
        return gives;
    }

    int mostLent() {
        return mostLent;
    }
}
