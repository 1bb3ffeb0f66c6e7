package lb.examples.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The broker's side of MQTT: decodes each packet a client sends and answers it. One per loop,
 * used only on that loop; it holds no per-client state (that lives in {@link BrokerConnection}).
 *
 * <p>The subset: CONNECT (3.1, 3.1.1, 5.0), SUBSCRIBE and UNSUBSCRIBE with {@code +} and
 * {@code #}, PUBLISH at QoS 0 and 1, PUBACK, PINGREQ, DISCONNECT. Anything else (QoS 2, AUTH, a
 * second CONNECT) closes the connection. No sessions survive a connection, no retained
 * messages; properties of 5.0 packets are skipped. A will is published (at QoS 0 or 1) when the
 * connection ends without a DISCONNECT, or with a 5.0 DISCONNECT 0x04 "with will message".
 */
final class BrokerProtocol {
    private static final int V3_UNACCEPTABLE_PROTOCOL_VERSION = 0x01;
    private static final int V3_IDENTIFIER_REJECTED = 0x02;
    private static final int V3_SERVER_UNAVAILABLE = 0x03;
    private static final int V5_SERVER_UNAVAILABLE = 0x88;
    private static final int SUBSCRIBE_FAILED = 0x80;
    private static final int V5_NO_SUBSCRIPTION_EXISTED = 0x11;
    private static final int MAX_GRANTED_QOS = 1;
    private static final int WILL = 0x04;
    private static final int DISCONNECT_WITH_WILL = 0x04;

    private final BrokerLoop loop;
    private final PacketCursor cursor = new PacketCursor();
    private byte[] codes = new byte[16];

    BrokerProtocol(BrokerLoop loop) {
        this.loop = loop;
    }

    /** Handles one packet; returns false once the connection is closing. */
    boolean onPacket(BrokerConnection connection, int firstByte, ByteBuffer buf, int start, int end) {
        cursor.reset(buf, start, end);
        int type = PacketType.of(firstByte);
        try {
            if (!connection.isConnected()) {
                return type == PacketType.CONNECT ? onConnect(connection) : closed(connection);
            }
            switch (type) {
                case PacketType.PUBLISH:
                    return onPublish(connection, firstByte);
                case PacketType.PUBACK:
                    // A subscriber acknowledging a QoS 1 delivery: nothing is ever resent, so nothing to clear.
                    return true;
                case PacketType.SUBSCRIBE:
                    return onSubscribe(connection, firstByte);
                case PacketType.UNSUBSCRIBE:
                    return onUnsubscribe(connection, firstByte);
                case PacketType.PINGREQ:
                    MqttEncoder.pingresp(connection.out());
                    connection.markDirty();
                    return true;
                case PacketType.DISCONNECT:
                    // Normal disconnection discards the will; 5.0 may ask for it (reason 0x04).
                    int reason = connection.level() == MqttEncoder.LEVEL_5 && cursor.hasRemaining() ? cursor.u8() : 0;
                    if (reason != DISCONNECT_WITH_WILL) {
                        connection.dropWill();
                    }
                    return closed(connection);
                default:
                    // anything else is outside the subset
                    return closed(connection);
            }
        } catch (MalformedPacketException e) {
            return closed(connection);
        }
    }

    /**
     * <pre>
     * CONNECT variable header and payload, as read here (3.1.1 section 3.1, 5.0 section 3.1)
     * | protocol name | "MQTT" (4, 5) or "MQIsdp" (3) |
     * | level         | u8                             |
     * | flags         | u8; bit 1 clean start          |
     * | keep alive    | u16                            |
     * | properties    | 5.0 only, skipped              |
     * | client id     | string                         |
     * | will          | if flag 2: 5.0 properties (skipped), topic, payload |
     * | user, password| unused                         |
     * </pre>
     */
    private boolean onConnect(BrokerConnection connection) {
        String protocolName = cursor.string();
        int level = cursor.u8();
        int flags = cursor.u8();
        cursor.u16();
        boolean knownName = protocolName.equals("MQTT") || protocolName.equals("MQIsdp");
        if (!knownName) {
            return closed(connection);
        }
        boolean knownLevel = protocolName.equals("MQTT") ? level == 4 || level == 5 : level == 3;
        if (!knownLevel) {
            // Answered in the 3.1.1 layout, the one every client version can read (5.0 section 3.1.2.2).
            return refuse(connection, MqttEncoder.LEVEL_3_1_1, V3_UNACCEPTABLE_PROTOCOL_VERSION);
        }
        if (level == MqttEncoder.LEVEL_5) {
            cursor.skip(cursor.varint());
        }
        String clientId = cursor.string();
        Message will = null;
        if ((flags & WILL) != 0) {
            if (level == MqttEncoder.LEVEL_5) {
                cursor.skip(cursor.varint());
            }
            byte[] topicUtf8 = cursor.bytes(cursor.u16());
            will = new Message(new String(topicUtf8, StandardCharsets.UTF_8), topicUtf8, cursor.bytes(cursor.u16()));
        }
        boolean cleanStart = (flags & 0x02) != 0;
        if (loop.broker.owner.isRefusingConnects()) {
            loop.counters.connectsRefused.increment();
            return refuse(connection, level, level == MqttEncoder.LEVEL_5 ? V5_SERVER_UNAVAILABLE : V3_SERVER_UNAVAILABLE);
        }
        byte[] assigned = null;
        if (clientId.isEmpty()) {
            if (level != MqttEncoder.LEVEL_5 && !cleanStart) {
                return refuse(connection, level, V3_IDENTIFIER_REJECTED);
            }
            clientId = "auto-" + loop.broker.owner.name() + "-" + loop.counters.assignedClientIds.incrementAndGet();
            assigned = level == MqttEncoder.LEVEL_5 ? clientId.getBytes(StandardCharsets.UTF_8) : null;
        }
        connection.onConnected(clientId, level);
        connection.will(will, Math.min(MAX_GRANTED_QOS, (flags >> 3) & 0x03));
        MqttEncoder.connack(connection.out(), level, 0, assigned);
        connection.markDirty();
        return true;
    }

    private boolean onPublish(BrokerConnection connection, int firstByte) {
        int qos = (firstByte >> 1) & 0x03;
        if (qos > MAX_GRANTED_QOS) {
            return closed(connection);
        }
        byte[] topicUtf8 = cursor.bytes(cursor.u16());
        String topic = new String(topicUtf8, StandardCharsets.UTF_8);
        if (!TopicFilter.isValidTopic(topic)) {
            return closed(connection);
        }
        int packetId = qos > 0 ? cursor.u16() : 0;
        if (connection.level() == MqttEncoder.LEVEL_5) {
            cursor.skip(cursor.varint());
        }
        byte[] payload = cursor.rest();
        loop.counters.messagesReceived.increment();
        loop.route(new Message(topic, topicUtf8, payload), qos);
        if (qos > 0) {
            MqttEncoder.puback(connection.out(), packetId);
            connection.markDirty();
        }
        return true;
    }

    private boolean onSubscribe(BrokerConnection connection, int firstByte) {
        if ((firstByte & 0x0F) != 0x02) {
            return closed(connection);
        }
        int packetId = cursor.u16();
        skipProperties(connection);
        int count = 0;
        while (cursor.hasRemaining()) {
            String filter = cursor.string();
            int requestedQos = cursor.u8() & 0x03;
            int code = SUBSCRIBE_FAILED;
            if (requestedQos < 3 && TopicFilter.isValidFilter(filter)) {
                code = Math.min(requestedQos, MAX_GRANTED_QOS);
                connection.subscribe(filter, code);
            }
            count = addCode(count, code);
        }
        if (count == 0) {
            return closed(connection);
        }
        MqttEncoder.suback(connection.out(), connection.level(), packetId, codes, count);
        connection.markDirty();
        return true;
    }

    private boolean onUnsubscribe(BrokerConnection connection, int firstByte) {
        if ((firstByte & 0x0F) != 0x02) {
            return closed(connection);
        }
        int packetId = cursor.u16();
        skipProperties(connection);
        int count = 0;
        while (cursor.hasRemaining()) {
            count = addCode(count, connection.unsubscribe(cursor.string()) ? 0 : V5_NO_SUBSCRIPTION_EXISTED);
        }
        if (count == 0) {
            return closed(connection);
        }
        MqttEncoder.unsuback(connection.out(), connection.level(), packetId, codes, count);
        connection.markDirty();
        return true;
    }

    private void skipProperties(BrokerConnection connection) {
        if (connection.level() == MqttEncoder.LEVEL_5) {
            cursor.skip(cursor.varint());
        }
    }

    private int addCode(int count, int code) {
        if (count == codes.length) {
            codes = Arrays.copyOf(codes, count * 2);
        }
        codes[count] = (byte) code;
        return count + 1;
    }

    private static boolean refuse(BrokerConnection connection, int level, int code) {
        MqttEncoder.connack(connection.out(), level, code, null);
        connection.closeAfterFlush();
        return false;
    }

    private static boolean closed(BrokerConnection connection) {
        connection.close(false);
        return false;
    }
}
