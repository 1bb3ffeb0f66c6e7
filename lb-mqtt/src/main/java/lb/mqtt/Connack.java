package lb.mqtt;

import java.nio.ByteBuffer;

/**
 * The CONNACK refusals the inspector may send a client before closing it. Each reply is built
 * once as a shared read-only buffer; callers get a duplicate, a view of their own over the same
 * bytes, so whoever writes it may move its position freely.
 *
 * <pre>
 * 3.1 and 3.1.1 (3.1.1 §3.2)                   5.0 (5.0 §3.2)
 * +------+----------------------------+        +------+----------------------------+
 * | 0x20 | CONNACK, flags 0000        |        | 0x20 | CONNACK, flags 0000        |
 * | 0x02 | remaining length           |        | 0x03 | remaining length           |
 * | 0x00 | session present 0          |        | 0x00 | session present 0          |
 * | rc   | return code                |        | rc   | reason code                |
 * +------+----------------------------+        | 0x00 | property length: none      |
 *                                              +------+----------------------------+
 * </pre>
 */
final class Connack {
    /** No CONNACK: close without a word. */
    static final int NONE = -1;

    // 3.1 and 3.1.1 return codes (3.1.1 §3.2.2.3 Table 3.1).
    static final int UNACCEPTABLE_PROTOCOL_VERSION = 0x01;
    static final int IDENTIFIER_REJECTED = 0x02;
    static final int SERVER_UNAVAILABLE = 0x03;
    static final int NOT_AUTHORIZED = 0x05;

    // 5.0 reason codes (5.0 §3.2.2.2 Table 3-1).
    static final int MALFORMED_PACKET = 0x81;
    static final int PROTOCOL_ERROR = 0x82;
    static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    static final int SERVER_UNAVAILABLE_5 = 0x88;
    static final int SERVER_BUSY_5 = 0x89;
    static final int NOT_AUTHORIZED_5 = 0x87;
    static final int QUOTA_EXCEEDED_5 = 0x97;
    static final int CONNECTION_RATE_EXCEEDED_5 = 0x9F;
    static final int TOPIC_NAME_INVALID = 0x90;
    static final int PACKET_TOO_LARGE = 0x95;

    private static final int PACKET_TYPE = 0x20;
    private static final ByteBuffer[] V3_REPLIES = new ByteBuffer[256];
    private static final ByteBuffer[] V5_REPLIES = new ByteBuffer[256];

    static {
        // Every code some violation names gets its reply, and nothing more.
        for (Violation v : Violation.values()) {
            if (v.v3ReturnCode() != NONE) {
                V3_REPLIES[v.v3ReturnCode()] = v3(v.v3ReturnCode());
            }
            if (v.v5ReasonCode() != NONE) {
                V5_REPLIES[v.v5ReasonCode()] = v5(v.v5ReasonCode());
            }
        }
        V3_REPLIES[SERVER_UNAVAILABLE] = v3(SERVER_UNAVAILABLE);
        V5_REPLIES[SERVER_UNAVAILABLE_5] = v5(SERVER_UNAVAILABLE_5);
        V5_REPLIES[SERVER_BUSY_5] = v5(SERVER_BUSY_5);
        V3_REPLIES[NOT_AUTHORIZED] = v3(NOT_AUTHORIZED);
        V5_REPLIES[NOT_AUTHORIZED_5] = v5(NOT_AUTHORIZED_5);
        V5_REPLIES[CONNECTION_RATE_EXCEEDED_5] = v5(CONNECTION_RATE_EXCEEDED_5);
        V5_REPLIES[QUOTA_EXCEEDED_5] = v5(QUOTA_EXCEEDED_5);
    }

    private Connack() {
    }

    /**
     * The CONNACK refusing an invalid CONNECT, in the layout of the client's version; null where
     * that version has no code for the violation or the version is not known yet.
     */
    static ByteBuffer refusal(ParseResult invalid) {
        MqttVersion version = invalid.version();
        if (version == null) {
            return null;
        }
        return version == MqttVersion.V5 ? reply(V5_REPLIES, invalid.violation().v5ReasonCode())
                : reply(V3_REPLIES, invalid.violation().v3ReturnCode());
    }

    /** "Server unavailable" (3.1.1 code 3, 5.0 code 0x88) for {@code version}; null if it is unknown. */
    static ByteBuffer serverUnavailable(MqttVersion version) {
        if (version == null) {
            return null;
        }
        return version == MqttVersion.V5 ? reply(V5_REPLIES, SERVER_UNAVAILABLE_5) : reply(V3_REPLIES, SERVER_UNAVAILABLE);
    }

    /** "Server busy" (5.0 code 0x89; 3.1.1 has only code 3, server unavailable); null if unknown. */
    static ByteBuffer serverBusy(MqttVersion version) {
        if (version == null) {
            return null;
        }
        return version == MqttVersion.V5 ? reply(V5_REPLIES, SERVER_BUSY_5) : reply(V3_REPLIES, SERVER_UNAVAILABLE);
    }

    /** "Connection rate exceeded" (5.0 code 0x9F; 3.1.1 code 3, server unavailable); null if unknown. */
    static ByteBuffer connectionRateExceeded(MqttVersion version) {
        if (version == null) {
            return null;
        }
        return version == MqttVersion.V5 ? reply(V5_REPLIES, CONNECTION_RATE_EXCEEDED_5)
                : reply(V3_REPLIES, SERVER_UNAVAILABLE);
    }

    /** "Not authorized" (3.1.1 code 5, 5.0 code 0x87) for {@code version}. */
    static ByteBuffer notAuthorized(MqttVersion version) {
        return version == MqttVersion.V5 ? reply(V5_REPLIES, NOT_AUTHORIZED_5) : reply(V3_REPLIES, NOT_AUTHORIZED);
    }

    /** "Quota exceeded" (5.0 code 0x97; 3.1.1 code 3, server unavailable); null if unknown. */
    static ByteBuffer quotaExceeded(MqttVersion version) {
        if (version == null) {
            return null;
        }
        return version == MqttVersion.V5 ? reply(V5_REPLIES, QUOTA_EXCEEDED_5) : reply(V3_REPLIES, SERVER_UNAVAILABLE);
    }

    private static ByteBuffer reply(ByteBuffer[] replies, int code) {
        return code == NONE ? null : replies[code].duplicate();
    }

    private static ByteBuffer v3(int returnCode) {
        return constant(new byte[] {PACKET_TYPE, 0x02, 0x00, (byte) returnCode});
    }

    private static ByteBuffer v5(int reasonCode) {
        return constant(new byte[] {PACKET_TYPE, 0x03, 0x00, (byte) reasonCode, 0x00});
    }

    private static ByteBuffer constant(byte[] bytes) {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }
}
