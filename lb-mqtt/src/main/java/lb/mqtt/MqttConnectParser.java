package lb.mqtt;

import static lb.mqtt.WireFormat.failed;
import static lb.mqtt.WireFormat.u16;
import static lb.mqtt.WireFormat.u8;

import java.nio.ByteBuffer;

/**
 * Parses an MQTT CONNECT (3.1, 3.1.1 or 5.0) from whatever a client has sent so far. Stateless
 * and thread-safe: one instance serves every connection.
 *
 * <p>Reads the buffer from its position to its limit by absolute index and never changes it;
 * bytes after the CONNECT (a PUBLISH sent right behind it, say) are left alone. Answers
 * {@link ParseResult#NEED_MORE} until the whole packet is there, then VALID or INVALID; only
 * the fixed header is judged earlier, so a packet too large is refused from its first few
 * bytes. A valid CONNECT costs one {@link Connect} and its client identifier string; nothing
 * else is copied or allocated.
 *
 * <pre>
 * CONNECT (3.1.1 §3.1, 5.0 §3.1; 3.1 as 3.1.1 with another protocol name)
 * +-------------------+----------------------------------------------------------------+
 * | fixed header      |                                                                |
 * |   byte 1          | 0001 0000: type 1 (CONNECT), reserved flags 0000                |
 * |   remaining len.  | variable byte integer, 1..4 bytes: the bytes that follow       |
 * +-------------------+----------------------------------------------------------------+
 * | variable header   |                                                                |
 * |   protocol name   | 00 04 'M' 'Q' 'T' 'T'  (3.1.1, 5.0)  or  00 06 'MQIsdp'  (3.1)  |
 * |   protocol level  | 4 (3.1.1), 5 (5.0), 3 (3.1)                                     |
 * |   connect flags   | 7 user name | 6 password | 5 will retain | 4-3 will QoS |          |
 * |                   | 2 will | 1 clean session (start) | 0 reserved, 0                 |
 * |   keep alive      | two-byte integer, seconds                                       |
 * |   properties      | 5.0 only: see ConnectProperties                                 |
 * +-------------------+----------------------------------------------------------------+
 * | payload, in this order                                                             |
 * |   client id       | UTF-8 string, always                                            |
 * |   will properties | 5.0 only, if the will flag is set                               |
 * |   will topic      | topic name, if the will flag is set                             |
 * |   will payload    | binary data, if the will flag is set                            |
 * |   user name       | UTF-8 string, if the user name flag is set                      |
 * |   password        | binary data, if the password flag is set                        |
 * +-------------------+----------------------------------------------------------------+
 * </pre>
 *
 * <p>The fields must end exactly where the remaining length says [MQTT-3.1.4-1]. The client
 * identifier rules are applied last, once the packet is known to be well formed, so a
 * malformed packet is never mistaken for a refusable identifier.
 */
public final class MqttConnectParser {
    /** Matches the frontend's default inspect cap, so the parser decides before the cap bites. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 64 * 1024;
    /** The smallest CONNECT: 2 fixed header + 6 name + level + flags + 2 keep alive + 2 empty client id. */
    public static final int MIN_PACKET_SIZE = 14;
    /** The largest packet a remaining length can describe: 1 + 4 + 268,435,455 bytes. */
    public static final int MAX_PACKET_SIZE = 1 + VariableByteInteger.MAX_BYTES + VariableByteInteger.MAX_VALUE;

    private static final int CONNECT_TYPE = 1;
    private static final int UNKNOWN_NAME = 0;
    private static final int MQTT = 1;
    private static final int MQISDP = 2;
    private static final int RESERVED = 0x01;
    private static final int CLEAN_START = 0x02;
    private static final int WILL = 0x04;
    private static final int WILL_QOS_SHIFT = 3;
    private static final int WILL_RETAIN = 0x20;
    private static final int PASSWORD = 0x40;
    private static final int USERNAME = 0x80;
    /** MQTT 3.1 §3.1: "between 1 and 23 characters long"; counted here in bytes. */
    private static final int MAX_CLIENT_ID_3_1 = 23;

    private final int maxPacketSize;

    /** A parser refusing CONNECTs over {@link #DEFAULT_MAX_PACKET_SIZE} bytes. */
    public MqttConnectParser() {
        this(DEFAULT_MAX_PACKET_SIZE);
    }

    /** A parser refusing CONNECTs over {@code maxPacketSize} bytes, fixed header included. */
    public MqttConnectParser(int maxPacketSize) {
        if (maxPacketSize < MIN_PACKET_SIZE || maxPacketSize > MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("maxPacketSize must be " + MIN_PACKET_SIZE + ".." + MAX_PACKET_SIZE
                    + " bytes, was " + maxPacketSize);
        }
        this.maxPacketSize = maxPacketSize;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** Parses the CONNECT starting at {@code bytes.position()}, with what is there up to its limit. */
    public ParseResult parse(ByteBuffer bytes) {
        int start = bytes.position();
        int limit = bytes.limit();
        if (limit == start) {
            return ParseResult.NEED_MORE;
        }
        int first = u8(bytes, start);
        if (first >>> 4 != CONNECT_TYPE) {
            return ParseResult.invalid(Violation.NOT_CONNECT, null);
        }
        if ((first & 0x0F) != 0) {
            return ParseResult.invalid(Violation.FIXED_HEADER_FLAGS, null);
        }
        long remaining = VariableByteInteger.decode(bytes, start + 1, limit);
        if (remaining == VariableByteInteger.NEED_MORE) {
            return ParseResult.NEED_MORE;
        }
        if (remaining < 0) {
            return ParseResult.invalid(remaining == VariableByteInteger.TOO_LONG
                    ? Violation.VARIABLE_BYTE_INTEGER_TOO_LONG : Violation.VARIABLE_BYTE_INTEGER_NOT_MINIMAL, null);
        }
        int bodyStart = start + 1 + VariableByteInteger.length(remaining);
        long packetLength = bodyStart - start + (long) VariableByteInteger.value(remaining);
        if (packetLength > maxPacketSize) {
            return ParseResult.invalid(Violation.TOO_LARGE, versionAt(bytes, bodyStart, limit));
        }
        if (limit - start < packetLength) {
            return ParseResult.NEED_MORE;
        }
        return readBody(bytes, start, bodyStart, start + (int) packetLength);
    }

    /**
     * The version of the CONNECT at {@code bytes.position()}, read from its protocol name and
     * level without checking anything else; null if those bytes are missing or name no version.
     */
    static MqttVersion peekVersion(ByteBuffer bytes) {
        int start = bytes.position();
        long remaining = VariableByteInteger.decode(bytes, start + 1, bytes.limit());
        if (remaining < 0) {
            return null;
        }
        return versionAt(bytes, start + 1 + VariableByteInteger.length(remaining), bytes.limit());
    }

    /** The version named by the protocol name and level at {@code at}, if both are there before {@code end}. */
    private static MqttVersion versionAt(ByteBuffer b, int at, int end) {
        if (end - at < 2) {
            return null;
        }
        int nameLength = u16(b, at);
        if (end - at - 2 <= nameLength) {
            return null;
        }
        int name = protocolName(b, at + 2, nameLength);
        return name == UNKNOWN_NAME ? null : MqttVersion.of(name == MQISDP, u8(b, at + 2 + nameLength));
    }

    private static ParseResult readBody(ByteBuffer b, int start, int at, int end) {
        // Protocol name and level: they decide the version, and so the rest of the layout.
        if (end - at < 2 || end - at - 2 < u16(b, at)) {
            return ParseResult.invalid(Violation.VARIABLE_HEADER_CUT_SHORT, null);
        }
        int nameLength = u16(b, at);
        int name = protocolName(b, at + 2, nameLength);
        if (name == UNKNOWN_NAME) {
            return ParseResult.invalid(Violation.PROTOCOL_NAME, null);
        }
        at += 2 + nameLength;
        if (end - at < 1) {
            return ParseResult.invalid(Violation.VARIABLE_HEADER_CUT_SHORT, null);
        }
        int level = u8(b, at);
        MqttVersion version = MqttVersion.of(name == MQISDP, level);
        if (version == null) {
            return ParseResult.invalid(Violation.PROTOCOL_LEVEL, MqttVersion.replyingTo(level));
        }
        if (end - at < 4) {
            return ParseResult.invalid(Violation.VARIABLE_HEADER_CUT_SHORT, version);
        }
        int flags = u8(b, at + 1);
        Violation flagProblem = flagProblem(flags, version);
        if (flagProblem != null) {
            return ParseResult.invalid(flagProblem, version);
        }
        Connect c = new Connect(version, start, end - start);
        c.keepAliveSeconds = u16(b, at + 2);
        c.cleanStart = (flags & CLEAN_START) != 0;
        c.hasWill = (flags & WILL) != 0;
        c.willQos = (flags >>> WILL_QOS_SHIFT) & 0x03;
        c.willRetain = (flags & WILL_RETAIN) != 0;
        c.hasUsername = (flags & USERNAME) != 0;
        c.hasPassword = (flags & PASSWORD) != 0;
        at = readPropertiesAndPayload(b, at + 4, end, c);
        if (failed(at)) {
            return ParseResult.invalid(WireFormat.violation(at), version);
        }
        if (at != end) {
            return ParseResult.invalid(Violation.TRAILING_BYTES, version);
        }
        Violation idProblem = clientIdProblem(c);
        if (idProblem != null) {
            return ParseResult.invalid(idProblem, version);
        }
        c.clientId = c.text(Field.CLIENT_ID, b);
        return ParseResult.valid(c);
    }

    private static Violation flagProblem(int flags, MqttVersion version) {
        if ((flags & RESERVED) != 0) {
            return Violation.RESERVED_FLAG;
        }
        int willQos = (flags >>> WILL_QOS_SHIFT) & 0x03;
        if ((flags & WILL) != 0) {
            if (willQos == 3) {
                return Violation.WILL_QOS_3;
            }
        } else if (willQos != 0) {
            return Violation.WILL_QOS_WITHOUT_WILL;
        } else if ((flags & WILL_RETAIN) != 0) {
            return Violation.WILL_RETAIN_WITHOUT_WILL;
        }
        // 5.0 allows a password without a user name (5.0 §3.1.2.9); 3.1.1 does not.
        if ((flags & PASSWORD) != 0 && (flags & USERNAME) == 0 && version != MqttVersion.V5) {
            return Violation.PASSWORD_WITHOUT_USERNAME;
        }
        return null;
    }

    /** Everything after the keep alive; answers the index after the last field, or a failure. */
    private static int readPropertiesAndPayload(ByteBuffer b, int at, int end, Connect c) {
        boolean v5 = c.version == MqttVersion.V5;
        if (v5) {
            at = ConnectProperties.readConnect(b, at, end, c);
        }
        if (!failed(at)) {
            at = WireFormat.string(b, at, end, Violation.CLIENT_ID_MISSING, c, Field.CLIENT_ID);
        }
        if (c.hasWill) {
            if (v5 && !failed(at)) {
                at = ConnectProperties.readWill(b, at, end, c);
            }
            if (!failed(at)) {
                at = WireFormat.topicName(b, at, end, Violation.WILL_MISSING, Violation.WILL_TOPIC_EMPTY,
                        Violation.WILL_TOPIC_WILDCARD, c, Field.WILL_TOPIC);
            }
            if (!failed(at)) {
                at = WireFormat.binary(b, at, end, Violation.WILL_MISSING, c, Field.WILL_PAYLOAD);
            }
        }
        if (c.hasUsername && !failed(at)) {
            at = WireFormat.string(b, at, end, Violation.USERNAME_MISSING, c, Field.USERNAME);
        }
        if (c.hasPassword && !failed(at)) {
            at = WireFormat.binary(b, at, end, Violation.PASSWORD_MISSING, c, Field.PASSWORD);
        }
        return at;
    }

    private static Violation clientIdProblem(Connect c) {
        int length = c.length(Field.CLIENT_ID);
        return switch (c.version) {
            case V3_1 -> length == 0 || length > MAX_CLIENT_ID_3_1 ? Violation.CLIENT_ID_LENGTH_3_1 : null;
            // An empty id asks the broker to make one up, which only a clean session can use [MQTT-3.1.3-7].
            case V3_1_1 -> length == 0 && !c.cleanStart ? Violation.CLIENT_ID_EMPTY_WITHOUT_CLEAN_SESSION : null;
            // 5.0 lets the broker assign an id whatever Clean Start says [MQTT-3.1.3-6].
            case V5 -> null;
        };
    }

    /** Which protocol name the {@code length} bytes at {@code at} spell (case matters). */
    private static int protocolName(ByteBuffer b, int at, int length) {
        if (length == 4 && b.get(at) == 'M' && b.get(at + 1) == 'Q' && b.get(at + 2) == 'T' && b.get(at + 3) == 'T') {
            return MQTT;
        }
        if (length == 6 && b.get(at) == 'M' && b.get(at + 1) == 'Q' && b.get(at + 2) == 'I' && b.get(at + 3) == 's'
                && b.get(at + 4) == 'd' && b.get(at + 5) == 'p') {
            return MQISDP;
        }
        return UNKNOWN_NAME;
    }
}
