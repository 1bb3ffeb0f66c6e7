package lb.examples.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import lb.examples.broker.MqttEncoder;
import lb.examples.broker.PacketWriter;

/**
 * A publisher's side of the load: its topic, one payload buffer re-stamped for each message,
 * the sequence count, and the QoS 1 in-flight window. Not thread-safe: owned by one client on
 * its loop; nothing is allocated per message.
 *
 * <pre>
 * payload: | send time, System.nanoTime (u64) | publisher (u32) | sequence from 1 (u32) | zeros |
 * </pre>
 *
 * Send time is comparable with the receiver's clock because both ends run in this process.
 */
final class OutgoingMessages {
    static final int STAMP_BYTES = 16;
    /** Unacknowledged QoS 1 messages a publisher may have out, as a real client's in-flight window. */
    private static final int QOS1_WINDOW = 256;

    private final int publisher;
    private final byte[] topic;
    private final byte[] payload;
    private final ByteBuffer stamp;
    private long sent;
    private int inflight;
    private int lastPacketId;

    OutgoingMessages(int publisher, String topic, int messageSize) {
        this.publisher = publisher;
        this.topic = topic.getBytes(StandardCharsets.UTF_8);
        this.payload = new byte[messageSize];
        this.stamp = ByteBuffer.wrap(payload);
    }

    long sent() {
        return sent;
    }

    /** False while a QoS 1 publisher waits for acknowledgements. */
    boolean hasWindow(int qos) {
        return qos == 0 || inflight < QOS1_WINDOW;
    }

    /** Stamps and encodes the next message into {@code out}. */
    void encodeNext(PacketWriter out, int level, int qos) {
        sent++;
        stamp.putLong(0, System.nanoTime()).putInt(8, publisher).putInt(12, (int) sent);
        int packetId = 0;
        if (qos > 0) {
            lastPacketId = lastPacketId == 0xFFFF ? 1 : lastPacketId + 1;
            packetId = lastPacketId;
            inflight++;
        }
        MqttEncoder.publish(out, level, qos, packetId, topic, payload, 0, payload.length);
    }

    void onPuback() {
        inflight = Math.max(0, inflight - 1);
    }

    /** The connection is gone: what was in flight will never be acknowledged, nor resent. */
    void onClosed() {
        inflight = 0;
    }
}
