package lb.mqtt;

import static lb.mqtt.Connack.IDENTIFIER_REJECTED;
import static lb.mqtt.Connack.MALFORMED_PACKET;
import static lb.mqtt.Connack.NONE;
import static lb.mqtt.Connack.PACKET_TOO_LARGE;
import static lb.mqtt.Connack.PROTOCOL_ERROR;
import static lb.mqtt.Connack.TOPIC_NAME_INVALID;
import static lb.mqtt.Connack.UNACCEPTABLE_PROTOCOL_VERSION;
import static lb.mqtt.Connack.UNSUPPORTED_PROTOCOL_VERSION;

/**
 * Why a CONNECT was refused: one constant per rule, citing it as 3.1.1 and as 5.0 number it
 * (MQTT 3.1 has no numbered rules; its CONNECTs are held to the 3.1.1 ones), and naming the
 * CONNACK code each version has for it, if any.
 *
 * <p>3.1.1 answers only a bad protocol level (0x01) and a refused client identifier (0x02) with
 * a CONNACK; for anything malformed it closes without one [MQTT-3.1.4-1]. 5.0 has a reason code
 * for nearly everything: 0x81 for what cannot be parsed, 0x82 for what parses but breaks a
 * rule (its "It is a Protocol Error to..." sentences). What is found before the protocol level
 * has no code: the client's version, and so the layout of a reply, is not known yet.
 */
public enum Violation {
    // ---- fixed header --------------------------------------------------------------------------
    NOT_CONNECT("MQTT-3.1.0-1", "MQTT-3.1.0-1", "first packet is not a CONNECT", NONE, NONE),
    FIXED_HEADER_FLAGS("MQTT-2.2.2-2", "MQTT-2.1.3-1", "CONNECT fixed header flags are not 0000", NONE, NONE),
    VARIABLE_BYTE_INTEGER_TOO_LONG("MQTT 3.1.1 §2.2.3", "MQTT 5.0 §1.5.5",
            "variable byte integer longer than 4 bytes", NONE, MALFORMED_PACKET),
    VARIABLE_BYTE_INTEGER_NOT_MINIMAL("MQTT 3.1.1 §2.2.3 Table 2.4", "MQTT-1.5.5-1",
            "variable byte integer not in its shortest form", NONE, MALFORMED_PACKET),
    TOO_LARGE("", "", "too large: over the configured maximum packet size", NONE, PACKET_TOO_LARGE),

    // ---- variable header -----------------------------------------------------------------------
    VARIABLE_HEADER_CUT_SHORT("MQTT-3.1.4-1", "MQTT-3.1.4-1",
            "remaining length ends inside the variable header", NONE, MALFORMED_PACKET),
    PROTOCOL_NAME("MQTT-3.1.2-1", "MQTT-3.1.2-1", "protocol name is neither MQTT nor MQIsdp", NONE, NONE),
    PROTOCOL_LEVEL("MQTT-3.1.2-2", "MQTT-3.1.2-2", "unsupported protocol level",
            UNACCEPTABLE_PROTOCOL_VERSION, UNSUPPORTED_PROTOCOL_VERSION),
    RESERVED_FLAG("MQTT-3.1.2-3", "MQTT-3.1.2-3", "reserved flag set", NONE, MALFORMED_PACKET),
    WILL_QOS_WITHOUT_WILL("MQTT-3.1.2-13", "MQTT-3.1.2-11", "will QoS set without the will flag", NONE, MALFORMED_PACKET),
    WILL_QOS_3("MQTT-3.1.2-14", "MQTT-3.1.2-12", "will QoS 3", NONE, MALFORMED_PACKET),
    WILL_RETAIN_WITHOUT_WILL("MQTT-3.1.2-15", "MQTT-3.1.2-13", "will retain set without the will flag",
            NONE, MALFORMED_PACKET),
    PASSWORD_WITHOUT_USERNAME("MQTT-3.1.2-22", null, "password flag set without the user name flag", NONE, NONE),

    // ---- MQTT 5.0 properties -------------------------------------------------------------------
    PROPERTIES_CUT_SHORT(null, "MQTT 5.0 §2.2.2.1", "property length runs past the remaining length",
            NONE, MALFORMED_PACKET),
    PROPERTY_CUT_SHORT(null, "MQTT 5.0 §2.2.2", "property value runs past the property length", NONE, MALFORMED_PACKET),
    PROPERTY_UNKNOWN(null, "MQTT 5.0 §2.2.2.2", "property identifier not valid here", NONE, MALFORMED_PACKET),
    PROPERTY_REPEATED(null, "MQTT 5.0 §3.1.2.11, §3.1.3.2", "property included more than once", NONE, PROTOCOL_ERROR),
    RECEIVE_MAXIMUM_ZERO(null, "MQTT 5.0 §3.1.2.11.3", "receive maximum is 0", NONE, PROTOCOL_ERROR),
    MAXIMUM_PACKET_SIZE_ZERO(null, "MQTT 5.0 §3.1.2.11.4", "maximum packet size is 0", NONE, PROTOCOL_ERROR),
    REQUEST_RESPONSE_INFORMATION_VALUE(null, "MQTT 5.0 §3.1.2.11.6", "request response information is not 0 or 1",
            NONE, PROTOCOL_ERROR),
    REQUEST_PROBLEM_INFORMATION_VALUE(null, "MQTT 5.0 §3.1.2.11.7", "request problem information is not 0 or 1",
            NONE, PROTOCOL_ERROR),
    AUTHENTICATION_DATA_WITHOUT_METHOD(null, "MQTT 5.0 §3.1.2.11.10", "authentication data without a method",
            NONE, PROTOCOL_ERROR),
    PAYLOAD_FORMAT_VALUE(null, "MQTT 5.0 §3.1.3.2.3", "will payload format indicator is not 0 or 1", NONE, PROTOCOL_ERROR),
    RESPONSE_TOPIC_EMPTY(null, "MQTT-4.7.3-1", "will response topic is empty", NONE, PROTOCOL_ERROR),
    RESPONSE_TOPIC_WILDCARD(null, "MQTT-3.3.2-14", "will response topic contains a wildcard", NONE, PROTOCOL_ERROR),

    // ---- payload -------------------------------------------------------------------------------
    CLIENT_ID_MISSING("MQTT-3.1.3-3", "MQTT-3.1.3-3", "client identifier missing or cut short", NONE, MALFORMED_PACKET),
    WILL_MISSING("MQTT-3.1.2-9", "MQTT-3.1.2-9", "will flag set but will topic or payload missing or cut short",
            NONE, MALFORMED_PACKET),
    USERNAME_MISSING("MQTT-3.1.2-19", "MQTT-3.1.2-17", "user name flag set but user name missing or cut short",
            NONE, MALFORMED_PACKET),
    PASSWORD_MISSING("MQTT-3.1.2-21", "MQTT-3.1.2-19", "password flag set but password missing or cut short",
            NONE, MALFORMED_PACKET),
    TRAILING_BYTES("MQTT-3.1.4-1", "MQTT-3.1.4-1", "bytes left after the last field the connect flags announce",
            NONE, MALFORMED_PACKET),
    UTF8_ILL_FORMED("MQTT-1.5.3-1", "MQTT-1.5.4-1", "string is not well-formed UTF-8", NONE, MALFORMED_PACKET),
    UTF8_NULL("MQTT-1.5.3-2", "MQTT-1.5.4-2", "string contains U+0000", NONE, MALFORMED_PACKET),
    WILL_TOPIC_EMPTY("MQTT-4.7.3-1", "MQTT-4.7.3-1", "will topic is empty", NONE, TOPIC_NAME_INVALID),
    WILL_TOPIC_WILDCARD("MQTT-4.7.1-1", "MQTT-4.7.0-1", "will topic contains a wildcard", NONE, TOPIC_NAME_INVALID),

    // ---- client identifier, judged once the packet is known to be well formed ------------------
    CLIENT_ID_LENGTH_3_1("MQTT 3.1 §3.1", null, "client identifier must be 1 to 23 bytes", IDENTIFIER_REJECTED, NONE),
    CLIENT_ID_EMPTY_WITHOUT_CLEAN_SESSION("MQTT-3.1.3-8", null, "empty client identifier with clean session 0",
            IDENTIFIER_REJECTED, NONE);

    private static final Violation[] ALL = values();

    private final String text;
    private final int v3ReturnCode;
    private final int v5ReasonCode;
    /** The reason as cited for an unknown version (index 0), then for each {@link MqttVersion}. */
    private final String[] reasons = new String[1 + MqttVersion.values().length];

    Violation(String rule311, String rule5, String text, int v3ReturnCode, int v5ReasonCode) {
        this.text = text;
        this.v3ReturnCode = v3ReturnCode;
        this.v5ReasonCode = v5ReasonCode;
        String either = rule311 == null ? rule5 : rule5 == null || rule5.equals(rule311) ? rule311
                : rule311 + " / " + rule5;
        reasons[0] = cite(either, text);
        for (MqttVersion v : MqttVersion.values()) {
            String rule = v == MqttVersion.V5 ? (rule5 != null ? rule5 : rule311) : (rule311 != null ? rule311 : rule5);
            reasons[1 + v.ordinal()] = cite(rule, text);
        }
    }

    private static String cite(String rule, String text) {
        return rule.isEmpty() ? text : rule + " " + text;
    }

    /** What broke, without the rule's number. */
    public String text() {
        return text;
    }

    /** The rule's number (for {@code version}, or both numberings if null) followed by {@link #text()}. */
    public String reason(MqttVersion version) {
        return reasons[version == null ? 0 : 1 + version.ordinal()];
    }

    /** The CONNACK return code a 3.1 or 3.1.1 client gets for this, or -1 to close without one. */
    public int v3ReturnCode() {
        return v3ReturnCode;
    }

    /** The CONNACK reason code a 5.0 client gets for this, or -1 to close without one. */
    public int v5ReasonCode() {
        return v5ReasonCode;
    }

    static Violation byOrdinal(int ordinal) {
        return ALL[ordinal];
    }
}
