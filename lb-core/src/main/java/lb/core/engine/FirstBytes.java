package lb.core.engine;

import java.nio.ByteBuffer;

import lb.core.limit.MemoryBudget;

/**
 * A client's first bytes while they are inspected: a heap buffer that starts at
 * {@link #FIRST_SIZE} and grows (doubling, up to a cap) only as bytes arrive, each growth
 * charged to the memory budget as a client not yet served. Not thread-safe: owned by one tunnel
 * on its loop.
 *
 * <p>Invariant: the budget holds exactly {@code capacity} bytes for this object until
 * {@link #release()} or {@link #handOver()}; after either it holds nothing.
 */
final class FirstBytes {
    /** An MQTT CONNECT usually fits; a first byte pins no more than this. */
    static final int FIRST_SIZE = 256;

    private final MemoryBudget budget;
    /** Write mode: the bytes held are [0, position). Null until the first bytes arrive. */
    private ByteBuffer buffer;

    FirstBytes(MemoryBudget budget) {
        this.budget = budget;
    }

    /** Bytes held. */
    int size() {
        return buffer == null ? 0 : buffer.position();
    }

    /**
     * Appends all of {@code arrived} (at most {@code cap} bytes held in all), growing within the
     * budget. False if the budget refused: then nothing was appended and {@code arrived} is as
     * it was.
     */
    boolean append(ByteBuffer arrived, int cap) {
        int needed = size() + arrived.remaining();
        if (needed > cap) {
            throw new IllegalArgumentException(needed + " bytes would pass the cap of " + cap);
        }
        int capacity = buffer == null ? 0 : buffer.capacity();
        if (needed > capacity) {
            int size = Math.min(cap, Math.max(needed, Math.max(FIRST_SIZE, capacity * 2)));
            if (!budget.tryAdmit(size - capacity)) {
                return false;
            }
            ByteBuffer bigger = ByteBuffer.allocate(size);
            if (buffer != null) {
                bigger.put(buffer.flip());
            }
            buffer = bigger;
        }
        buffer.put(arrived);
        return true;
    }

    /** The bytes held, from the first: a view that shares them (position 0, limit {@link #size()}). */
    ByteBuffer view() {
        return buffer == null ? ByteBuffer.allocate(0) : buffer.duplicate().flip();
    }

    /** Drops the first {@code n} bytes (a PROXY header that was taken). */
    void dropFirst(int n) {
        buffer.flip().position(n);
        buffer.compact();
    }

    /**
     * The bytes held, ready to be written, or null if there are none. Their capacity stays
     * charged to the budget: whoever takes them gives it back once they are written.
     */
    ByteBuffer handOver() {
        if (size() == 0) {
            release();
            return null;
        }
        ByteBuffer b = buffer.flip();
        buffer = null;
        return b;
    }

    /** Gives the budget back and forgets the bytes. */
    void release() {
        if (buffer != null) {
            budget.release(buffer.capacity());
            buffer = null;
        }
    }
}
