package lb.mqtt;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A CONNECT that passed every check: its flags and numbers, its client identifier, and where
 * its other fields lie. Immutable once the parser returns it; safe to share.
 *
 * <p>Only the client identifier is decoded up front (it is the routing key). Every other
 * {@link Field} is read on demand from the packet it was parsed from: pass that buffer, with its
 * position still at the packet's first byte, to {@link #text} or {@link #bytes}.
 *
 * <p>The 5.0 properties answer their defaults for 3.1 and 3.1.1 CONNECTs, which carry none.
 */
public final class Connect {
    private static final int NOT_PRESENT = -1;
    private static final int FIELD_COUNT = Field.values().length;

    final MqttVersion version;
    final int packetLength;
    /** Per field, its offset from the packet's first byte and its length; offset -1 if absent. */
    private final int[] spans = new int[2 * FIELD_COUNT];
    private final int packetStart;
    String clientId;
    int keepAliveSeconds;
    boolean cleanStart;
    boolean hasWill;
    int willQos;
    boolean willRetain;
    boolean hasUsername;
    boolean hasPassword;
    long sessionExpiryInterval;
    int receiveMaximum = 65_535;
    long maximumPacketSize;
    int topicAliasMaximum;
    boolean requestResponseInformation;
    boolean requestProblemInformation = true;
    int userPropertyCount;
    long willDelayInterval;
    int willPayloadFormat;
    long willMessageExpiryInterval = NOT_PRESENT;
    int willUserPropertyCount;

    Connect(MqttVersion version, int packetStart, int packetLength) {
        this.version = version;
        this.packetStart = packetStart;
        this.packetLength = packetLength;
        Arrays.fill(spans, NOT_PRESENT);
    }

    /** Records where {@code field} lies, by absolute index into the parsed buffer. */
    void locate(Field field, int at, int length) {
        spans[2 * field.ordinal()] = at - packetStart;
        spans[2 * field.ordinal() + 1] = length;
    }

    public MqttVersion version() {
        return version;
    }

    /** The CONNECT's size in bytes, fixed header included; any bytes after it are other packets. */
    public int packetLength() {
        return packetLength;
    }

    /** The client identifier; empty when the client asks the broker to assign one. */
    public String clientId() {
        return clientId;
    }

    /** Seconds the client may stay silent; 0 turns keep-alive off. */
    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    /** Clean Session in 3.1 and 3.1.1, Clean Start in 5.0. */
    public boolean cleanStart() {
        return cleanStart;
    }

    public boolean hasWill() {
        return hasWill;
    }

    /** 0, 1 or 2; 0 without a will. */
    public int willQos() {
        return willQos;
    }

    public boolean willRetain() {
        return willRetain;
    }

    public boolean hasUsername() {
        return hasUsername;
    }

    public boolean hasPassword() {
        return hasPassword;
    }

    /** 5.0: seconds the broker keeps the session after the connection ends; 0 if absent. */
    public long sessionExpiryInterval() {
        return sessionExpiryInterval;
    }

    /** 5.0: how many QoS 1 and 2 publications the client takes at once; 65,535 if absent. */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /** 5.0: the largest packet the client accepts; 0 if absent (no limit). */
    public long maximumPacketSize() {
        return maximumPacketSize;
    }

    /** 5.0: 0 if absent. */
    public int topicAliasMaximum() {
        return topicAliasMaximum;
    }

    /** 5.0: false if absent. */
    public boolean requestResponseInformation() {
        return requestResponseInformation;
    }

    /** 5.0: true if absent. */
    public boolean requestProblemInformation() {
        return requestProblemInformation;
    }

    /** 5.0: how many user properties the CONNECT carries. */
    public int userPropertyCount() {
        return userPropertyCount;
    }

    /** 5.0 will property: seconds before the will is published; 0 if absent. */
    public long willDelayInterval() {
        return willDelayInterval;
    }

    /** 5.0 will property: 1 if the will payload is UTF-8 text, 0 if unspecified or absent. */
    public int willPayloadFormat() {
        return willPayloadFormat;
    }

    /** 5.0 will property: the will message's lifetime in seconds; -1 if absent (no expiry). */
    public long willMessageExpiryInterval() {
        return willMessageExpiryInterval;
    }

    /** 5.0: how many user properties the will carries. */
    public int willUserPropertyCount() {
        return willUserPropertyCount;
    }

    /** The size in bytes of a field the CONNECT carries. */
    int length(Field field) {
        return spans[2 * field.ordinal() + 1];
    }

    /** Whether the CONNECT carries {@code field}. */
    public boolean has(Field field) {
        return spans[2 * field.ordinal()] != NOT_PRESENT;
    }

    /**
     * Decodes a text field from {@code packet}, the buffer this CONNECT was parsed from (its
     * position at the packet's first byte); null if the CONNECT does not carry it.
     */
    public String text(Field field, ByteBuffer packet) {
        if (!field.isText()) {
            throw new IllegalArgumentException(field + " is binary data: read it with bytes()");
        }
        int offset = spans[2 * field.ordinal()];
        return offset == NOT_PRESENT ? null
                : Utf8.decode(packet, packet.position() + offset, spans[2 * field.ordinal() + 1]);
    }

    /**
     * A read-only view of a field's bytes in {@code packet} (as for {@link #text}), without
     * its length prefix; null if the CONNECT does not carry it.
     */
    public ByteBuffer bytes(Field field, ByteBuffer packet) {
        int offset = spans[2 * field.ordinal()];
        return offset == NOT_PRESENT ? null
                : packet.slice(packet.position() + offset, spans[2 * field.ordinal() + 1]).asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return "Connect[" + version + " clientId=\"" + clientId + "\" keepAlive=" + keepAliveSeconds
                + " cleanStart=" + cleanStart + " will=" + hasWill + " username=" + hasUsername
                + " password=" + hasPassword + " length=" + packetLength + "]";
    }
}
