package lb.examples.broker;

/**
 * MQTT control packet types: the high nibble of a packet's first byte (MQTT 3.1.1 section 2.2.1,
 * MQTT 5.0 section 2.1.2). The low nibble holds flags; only PUBLISH gives them meaning, and
 * SUBSCRIBE, UNSUBSCRIBE and PUBREL must carry {@code 0b0010}.
 */
public final class PacketType {
    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int UNSUBSCRIBE = 10;
    public static final int UNSUBACK = 11;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;
    public static final int AUTH = 15;

    private PacketType() {
    }

    /** The packet type of a fixed header's first byte. */
    public static int of(int firstByte) {
        return (firstByte & 0xFF) >>> 4;
    }
}
