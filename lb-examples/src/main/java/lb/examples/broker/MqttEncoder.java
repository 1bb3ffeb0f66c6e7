package lb.examples.broker;

import java.nio.charset.StandardCharsets;

/**
 * Encoders for every packet the fake broker and the load generator send. Stateless. Strings
 * come in as UTF-8 bytes, so each remaining length is known before the header is written.
 * MQTT 5.0 packets carry an empty property list wherever one is required.
 */
public final class MqttEncoder {
    /** Protocol levels: MQTT 3.1, 3.1.1 and 5.0. */
    public static final int LEVEL_3_1 = 3;
    public static final int LEVEL_3_1_1 = 4;
    public static final int LEVEL_5 = 5;

    private static final byte[] MQTT = "MQTT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MQISDP = "MQIsdp".getBytes(StandardCharsets.US_ASCII);
    private static final int CLEAN_START = 0x02;
    private static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;

    private MqttEncoder() {
    }

    /**
     * <pre>
     * CONNECT (3.1.1 section 3.1, 5.0 section 3.1)
     * | 0x10 | remaining length |
     * | protocol name   | 00 04 "MQTT" (3.1: 00 06 "MQIsdp") |
     * | level           | 3, 4 or 5                          |
     * | connect flags   | bit 1: clean session / clean start |
     * | keep alive      | u16 seconds                        |
     * | properties      | 5.0 only: varint length (0)        |
     * | client id       | u16 length, UTF-8                  |
     * </pre>
     */
    public static void connect(PacketWriter w, int level, byte[] clientId, int keepAliveSeconds, boolean cleanStart) {
        byte[] name = level == LEVEL_3_1 ? MQISDP : MQTT;
        int remaining = 2 + name.length + 1 + 1 + 2 + (level == LEVEL_5 ? 1 : 0) + 2 + clientId.length;
        w.header(PacketType.CONNECT << 4, remaining).lengthPrefixed(name).u8(level)
                .u8(cleanStart ? CLEAN_START : 0).u16(keepAliveSeconds);
        if (level == LEVEL_5) {
            w.varint(0);
        }
        w.lengthPrefixed(clientId);
    }

    /**
     * <pre>
     * CONNACK (3.1.1 section 3.2, 5.0 section 3.2)
     * | 0x20 | remaining length |
     * | acknowledge flags | bit 0: session present (always 0 here)   |
     * | return code       | 0 accepted; 3.1.1: 1..5, 5.0: 0x80..0x9F |
     * | properties        | 5.0 only; 0x12 assigned client id when   |
     * |                   | the client sent an empty one             |
     * </pre>
     */
    public static void connack(PacketWriter w, int level, int code, byte[] assignedClientId) {
        if (level != LEVEL_5) {
            w.header(PacketType.CONNACK << 4, 2).u8(0).u8(code);
            return;
        }
        int properties = assignedClientId == null ? 0 : 1 + 2 + assignedClientId.length;
        w.header(PacketType.CONNACK << 4, 2 + PacketWriter.varintSize(properties) + properties)
                .u8(0).u8(code).varint(properties);
        if (assignedClientId != null) {
            w.u8(ASSIGNED_CLIENT_IDENTIFIER).lengthPrefixed(assignedClientId);
        }
    }

    /**
     * <pre>
     * PUBLISH (3.1.1 section 3.3, 5.0 section 3.3)
     * | 0x30 | dup (bit 3) | QoS (bits 2-1) | retain (bit 0) | remaining length |
     * | topic name  | u16 length, UTF-8, no wildcards |
     * | packet id   | u16, only when QoS > 0          |
     * | properties  | 5.0 only: varint length (0)     |
     * | payload     | the rest of the packet          |
     * </pre>
     */
    public static void publish(PacketWriter w, int level, int qos, int packetId, byte[] topic,
                               byte[] payload, int offset, int length) {
        int remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + (level == LEVEL_5 ? 1 : 0) + length;
        w.header((PacketType.PUBLISH << 4) | (qos << 1), remaining).lengthPrefixed(topic);
        if (qos > 0) {
            w.u16(packetId);
        }
        if (level == LEVEL_5) {
            w.varint(0);
        }
        w.bytes(payload, offset, length);
    }

    /** PUBACK: {@code 0x40 02} then the packet id; 5.0 lets a success omit reason and properties. */
    public static void puback(PacketWriter w, int packetId) {
        w.header(PacketType.PUBACK << 4, 2).u16(packetId);
    }

    /**
     * <pre>
     * SUBSCRIBE (3.1.1 section 3.8, 5.0 section 3.8)
     * | 0x82 | remaining length |
     * | packet id   | u16                                           |
     * | properties  | 5.0 only: varint length (0)                   |
     * | filters     | each: u16 length, UTF-8; then options (QoS)   |
     * </pre>
     */
    public static void subscribe(PacketWriter w, int level, int packetId, byte[][] filters, int qos) {
        int remaining = 2 + (level == LEVEL_5 ? 1 : 0);
        for (byte[] filter : filters) {
            remaining += 2 + filter.length + 1;
        }
        w.header((PacketType.SUBSCRIBE << 4) | 0x02, remaining).u16(packetId);
        if (level == LEVEL_5) {
            w.varint(0);
        }
        for (byte[] filter : filters) {
            w.lengthPrefixed(filter).u8(qos);
        }
    }

    /**
     * <pre>
     * SUBACK (3.1.1 section 3.9, 5.0 section 3.9)
     * | 0x90 | remaining length |
     * | packet id   | u16                                               |
     * | properties  | 5.0 only: varint length (0)                       |
     * | codes       | one per filter: granted QoS, or 0x80 and up: failure |
     * </pre>
     */
    public static void suback(PacketWriter w, int level, int packetId, byte[] codes, int count) {
        acknowledgeFilters(w, PacketType.SUBACK, level, packetId, codes, count);
    }

    /** UNSUBSCRIBE: as SUBSCRIBE ({@code 0xA2}), filters without an options byte. */
    public static void unsubscribe(PacketWriter w, int level, int packetId, byte[][] filters) {
        int remaining = 2 + (level == LEVEL_5 ? 1 : 0);
        for (byte[] filter : filters) {
            remaining += 2 + filter.length;
        }
        w.header((PacketType.UNSUBSCRIBE << 4) | 0x02, remaining).u16(packetId);
        if (level == LEVEL_5) {
            w.varint(0);
        }
        for (byte[] filter : filters) {
            w.lengthPrefixed(filter);
        }
    }

    /** UNSUBACK: the packet id; 5.0 adds properties and a reason code per filter, as SUBACK. */
    public static void unsuback(PacketWriter w, int level, int packetId, byte[] codes, int count) {
        if (level != LEVEL_5) {
            w.header(PacketType.UNSUBACK << 4, 2).u16(packetId);
            return;
        }
        acknowledgeFilters(w, PacketType.UNSUBACK, level, packetId, codes, count);
    }

    public static void pingreq(PacketWriter w) {
        w.header(PacketType.PINGREQ << 4, 0);
    }

    public static void pingresp(PacketWriter w) {
        w.header(PacketType.PINGRESP << 4, 0);
    }

    /** DISCONNECT with no body: in 5.0 that means reason 0, normal disconnection. */
    public static void disconnect(PacketWriter w) {
        w.header(PacketType.DISCONNECT << 4, 0);
    }

    private static void acknowledgeFilters(PacketWriter w, int type, int level, int packetId, byte[] codes, int count) {
        int remaining = 2 + (level == LEVEL_5 ? 1 : 0) + count;
        w.header(type << 4, remaining).u16(packetId);
        if (level == LEVEL_5) {
            w.varint(0);
        }
        w.bytes(codes, 0, count);
    }
}
