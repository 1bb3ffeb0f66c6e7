package lb.examples.loadgen;

import lb.examples.broker.PacketCursor;

/**
 * A subscriber's tally of what it received: the last sequence seen from each publisher, so a
 * repeat counts as a duplicate, and the latency of each stamped message (layout in
 * {@link OutgoingMessages}). Not thread-safe: owned by one client on its loop.
 */
final class IncomingMessages {
    private final int[] lastSequence;

    IncomingMessages(int publishers) {
        this.lastSequence = new int[publishers];
    }

    /** Reads the stamp at the cursor (the start of a payload), if the payload carries one. */
    void onPayload(PacketCursor cursor, long nowNs, LoadStats stats) {
        if (cursor.remaining() < OutgoingMessages.STAMP_BYTES) {
            return;
        }
        long sentNs = cursor.u64();
        int publisher = cursor.u32();
        int sequence = cursor.u32();
        stats.recordDelivery(nowNs - sentNs);
        if (publisher < 0 || publisher >= lastSequence.length) {
            return;
        }
        if (sequence <= lastSequence[publisher]) {
            stats.duplicates.increment();
        } else {
            lastSequence[publisher] = sequence;
        }
    }
}
