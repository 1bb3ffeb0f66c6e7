package lb.mqtt;

import static lb.mqtt.MqttVersion.V3_1;
import static lb.mqtt.MqttVersion.V3_1_1;
import static lb.mqtt.MqttVersion.V5;
import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQISDP_31;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.NO_PROPERTIES;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.hex;
import static lb.mqtt.Packets.properties;
import static lb.mqtt.Packets.str;
import static lb.mqtt.Packets.strHex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-written CONNECTs, one per rule, each naming the rule it exercises. Invalid cases must be
 * refused with that rule cited in the reason; valid ones must parse, and also parse when fed one
 * byte at a time, answering NEED_MORE until the last byte.
 */
class SpecCasesTest {
    private static final MqttConnectParser PARSER = new MqttConnectParser();

    record Case(String rule, byte[] packet, Violation violation, MqttVersion version) {
        @Override
        public String toString() {
            return (violation == null ? "valid: " : "invalid " + violation + ": ") + rule;
        }
    }

    static Case valid(MqttVersion version, String rule, byte[] packet) {
        return new Case(rule, packet, null, version);
    }

    /** {@code rule} must appear in the reason, as cited for {@code version}. */
    static Case invalid(Violation violation, MqttVersion version, String rule, byte[] packet) {
        return new Case(rule, packet, violation, version);
    }

    static List<Case> cases() {
        return List.of(
                // ---- valid ------------------------------------------------------------------------
                valid(V3_1_1, "3.1.1 §3.1: minimal CONNECT, clean session, client id 'abc'",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, str("abc"))),
                valid(V3_1_1, "MQTT-3.1.3-6: empty client id with clean session 1",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, str(""))),
                valid(V3_1_1, "3.1.1 §3.1.2.10: keep alive 0 turns keep-alive off",
                        connect(MQTT_311, "02", "0000", str("k0"))),
                valid(V3_1_1, "3.1.1 §3.1.2.4 clean session 0 with a client id",
                        connect(MQTT_311, "00", KEEP_ALIVE_60, str("durable-1"))),
                valid(V3_1_1, "MQTT-3.1.2-14: will QoS 1 with retain",
                        connect(MQTT_311, "2e", KEEP_ALIVE_60, str("w"), str("a/b"), str("bye"))),
                valid(V3_1_1, "MQTT-3.1.2-14: will QoS 2",
                        connect(MQTT_311, "16", KEEP_ALIVE_60, str("w"), str("status"), strHex(""))),
                valid(V3_1_1, "MQTT-3.1.2-19, MQTT-3.1.2-21: user name and password",
                        connect(MQTT_311, "c2", KEEP_ALIVE_60, str("c"), str("alice"), strHex("00ff00"))),
                valid(V3_1_1, "MQTT-3.1.2-19: user name without password",
                        connect(MQTT_311, "82", KEEP_ALIVE_60, str("c"), str("bob"))),
                valid(V3_1_1, "MQTT-3.1.3-5: a server MAY allow client ids over 23 bytes",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, str("a-client-identifier-of-40-bytes-xxxxxxxx"))),
                valid(V3_1_1, "MQTT-1.5.3-1: multi-byte UTF-8 in the client id",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, str("caf\u00e9-\u6c34-\ud83d\ude00"))),
                valid(V3_1_1, "MQTT-1.5.3-3: U+FEFF is kept, not stripped",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, strHex("efbbbf 6964"))),
                valid(V3_1_1, "3.1.1 §1.5.3: control character U+0001 is only a SHOULD NOT: accepted",
                        connect(MQTT_311, "82", KEEP_ALIVE_60, str("c"), strHex("01 75"))),
                valid(V3_1_1, "3.1.1 §1.5.3: non-character U+FFFF is only a SHOULD NOT: accepted",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, strHex("efbfbf"))),
                valid(V3_1_1, "3.1.1 §2.2.3: two-byte remaining length",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, str("x".repeat(200)))),
                valid(V3_1, "MQTT 3.1 §3.1: 23-byte client id, the longest allowed",
                        connect(MQISDP_31, "02", KEEP_ALIVE_60, str("abcdefghijklmnopqrstuvw"))),
                valid(V3_1, "MQTT 3.1 §3.1: user name, password and will",
                        connect(MQISDP_31, "ce", KEEP_ALIVE_60, str("id"), str("t"), str("m"), str("u"), str("p"))),
                valid(V3_1, "MQTT 3.1 §3.1: clean session 0",
                        connect(MQISDP_31, "00", KEEP_ALIVE_60, str("id31"))),
                valid(V5, "5.0 §3.1: minimal CONNECT with an empty property list [MQTT-2.2.2-1]",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("abc"))),
                valid(V5, "MQTT-3.1.3-6: 5.0 lets the server assign an id even with clean start 0",
                        connect(MQTT_5, "00", KEEP_ALIVE_60, NO_PROPERTIES, str(""))),
                valid(V5, "5.0 §3.1.2.9: a password without a user name is allowed",
                        connect(MQTT_5, "42", KEEP_ALIVE_60, NO_PROPERTIES, str("c"), strHex("cafe"))),
                valid(V5, "5.0 §3.1.2.11: every CONNECT property once",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("11 0000003c", "21 0014", "27 00010000",
                                "22 000a", "19 01", "17 00", "26", str("k"), str("v"), "15", str("SCRAM-SHA-1"),
                                "16", strHex("0102")), str("p"))),
                valid(V5, "5.0 §2.2.2: properties in any order (authentication data before its method)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("16", strHex("01"), "15", str("m")),
                                str("p"))),
                valid(V5, "5.0 §3.1.2.11.8: user property may appear many times, same name too",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("26", str("k"), str("1"), "26", str("k"),
                                str("2")), str("p"))),
                valid(V5, "5.0 §3.1.2.11.2: session expiry 0xFFFFFFFF (never)",
                        connect(MQTT_5, "00", KEEP_ALIVE_60, properties("11 ffffffff"), str("p"))),
                valid(V5, "5.0 §3.1.3.2: will with every will property",
                        connect(MQTT_5, "0e", KEEP_ALIVE_60, NO_PROPERTIES, str("w"),
                                properties("18 0000000a", "01 01", "02 00000e10", "03", str("text/plain"),
                                        "08", str("reply/here"), "09", strHex("cafe"), "26", str("a"), str("b")),
                                str("will/topic"), str("gone"))),

                // ---- fixed header -----------------------------------------------------------------
                invalid(Violation.NOT_CONNECT, null, "MQTT-3.1.0-1", hex("20 02 00 00")),
                invalid(Violation.NOT_CONNECT, null, "MQTT-3.1.0-1", "GET / HTTP/1.1\r\n".getBytes()),
                invalid(Violation.FIXED_HEADER_FLAGS, null, "MQTT-2.2.2-2 / MQTT-2.1.3-1",
                        hex("11 0f 0004 4d515454 04 02 003c 0003 616263")),
                invalid(Violation.FIXED_HEADER_FLAGS, null, "MQTT-2.1.3-1", hex("18")),
                invalid(Violation.VARIABLE_BYTE_INTEGER_TOO_LONG, null, "MQTT 5.0 §1.5.5", hex("10 ff ff ff ff 7f")),
                invalid(Violation.VARIABLE_BYTE_INTEGER_NOT_MINIMAL, null, "MQTT-1.5.5-1",
                        hex("10 8f 00 0004 4d515454 04 02 003c 0001 61")),
                invalid(Violation.VARIABLE_BYTE_INTEGER_NOT_MINIMAL, null, "MQTT 3.1.1 §2.2.3 Table 2.4",
                        hex("10 80 80 80 00")),
                invalid(Violation.TOO_LARGE, null, "too large", hex("10 ff ff 03")),
                invalid(Violation.VARIABLE_HEADER_CUT_SHORT, null, "MQTT-3.1.4-1", hex("10 00")),
                invalid(Violation.VARIABLE_HEADER_CUT_SHORT, null, "MQTT-3.1.4-1", hex("10 05 0004 4d515454")),

                // ---- protocol name and level ------------------------------------------------------
                invalid(Violation.PROTOCOL_NAME, null, "MQTT-3.1.2-1",
                        connect("0004 4d515458 04", "02", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.PROTOCOL_NAME, null, "MQTT-3.1.2-1",
                        connect("0004 6d717474 04", "02", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.PROTOCOL_LEVEL, V3_1_1, "MQTT-3.1.2-2",
                        connect("0004 4d515454 03", "02", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.PROTOCOL_LEVEL, V5, "MQTT-3.1.2-2",
                        connect("0004 4d515454 06", "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))),
                invalid(Violation.PROTOCOL_LEVEL, V3_1_1, "MQTT-3.1.2-2",
                        connect("0006 4d5149736470 04", "02", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.PROTOCOL_LEVEL, V3_1_1, "MQTT-3.1.2-2 (bridge bit: level 0x84)",
                        connect("0004 4d515454 84", "02", KEEP_ALIVE_60, str("a"))),

                // ---- connect flags ----------------------------------------------------------------
                invalid(Violation.RESERVED_FLAG, V3_1_1, "MQTT-3.1.2-3",
                        connect(MQTT_311, "03", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.RESERVED_FLAG, V5, "MQTT-3.1.2-3",
                        connect(MQTT_5, "01", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))),
                invalid(Violation.RESERVED_FLAG, V3_1, "MQTT-3.1.2-3",
                        connect(MQISDP_31, "03", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.WILL_QOS_WITHOUT_WILL, V3_1_1, "MQTT-3.1.2-13",
                        connect(MQTT_311, "0a", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.WILL_QOS_WITHOUT_WILL, V5, "MQTT-3.1.2-11",
                        connect(MQTT_5, "12", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))),
                invalid(Violation.WILL_QOS_3, V3_1_1, "MQTT-3.1.2-14",
                        connect(MQTT_311, "1e", KEEP_ALIVE_60, str("a"), str("t"), str("m"))),
                invalid(Violation.WILL_QOS_3, V5, "MQTT-3.1.2-12",
                        connect(MQTT_5, "1e", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), NO_PROPERTIES, str("t"),
                                str("m"))),
                invalid(Violation.WILL_RETAIN_WITHOUT_WILL, V3_1_1, "MQTT-3.1.2-15",
                        connect(MQTT_311, "22", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.WILL_RETAIN_WITHOUT_WILL, V5, "MQTT-3.1.2-13",
                        connect(MQTT_5, "22", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))),
                invalid(Violation.PASSWORD_WITHOUT_USERNAME, V3_1_1, "MQTT-3.1.2-22",
                        connect(MQTT_311, "42", KEEP_ALIVE_60, str("a"), strHex("01"))),
                invalid(Violation.PASSWORD_WITHOUT_USERNAME, V3_1, "MQTT-3.1.2-22",
                        connect(MQISDP_31, "42", KEEP_ALIVE_60, str("a"), strHex("01"))),

                // ---- lengths: fields against the remaining length ---------------------------------
                invalid(Violation.VARIABLE_HEADER_CUT_SHORT, V3_1_1, "MQTT-3.1.4-1",
                        connect(MQTT_311, "02")),
                invalid(Violation.CLIENT_ID_MISSING, V3_1_1, "MQTT-3.1.3-3",
                        connect(MQTT_311, "02", KEEP_ALIVE_60)),
                invalid(Violation.CLIENT_ID_MISSING, V3_1_1, "MQTT-3.1.3-3",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, "0005 6162")),
                invalid(Violation.CLIENT_ID_MISSING, V3_1_1, "MQTT-3.1.3-3 (one byte short)",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, "0003 6162")),
                invalid(Violation.WILL_MISSING, V3_1_1, "MQTT-3.1.2-9",
                        connect(MQTT_311, "06", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.WILL_MISSING, V3_1_1, "MQTT-3.1.2-9 (will payload one byte short)",
                        connect(MQTT_311, "06", KEEP_ALIVE_60, str("a"), str("t"), "0002 6d")),
                invalid(Violation.PASSWORD_MISSING, V5, "MQTT-3.1.2-19 (one byte short)",
                        connect(MQTT_5, "42", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), "0002 01")),
                invalid(Violation.PROPERTY_CUT_SHORT, V5, "MQTT 5.0 §2.2.2 (string one byte short of the list's end)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("15 0002 6d"), str("a"))),
                invalid(Violation.WILL_MISSING, V3_1_1, "MQTT-3.1.2-9",
                        connect(MQTT_311, "06", KEEP_ALIVE_60, str("a"), str("t"))),
                invalid(Violation.USERNAME_MISSING, V3_1_1, "MQTT-3.1.2-19",
                        connect(MQTT_311, "82", KEEP_ALIVE_60, str("a"))),
                invalid(Violation.USERNAME_MISSING, V5, "MQTT-3.1.2-17",
                        connect(MQTT_5, "82", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), "00")),
                invalid(Violation.PASSWORD_MISSING, V3_1_1, "MQTT-3.1.2-21",
                        connect(MQTT_311, "c2", KEEP_ALIVE_60, str("a"), str("u"))),
                invalid(Violation.TRAILING_BYTES, V3_1_1, "MQTT-3.1.4-1 (a user name the flags do not announce)",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"), str("u"))),
                invalid(Violation.TRAILING_BYTES, V3_1_1, "MQTT-3.1.4-1: malformed outranks the client id rules",
                        connect(MQTT_311, "00", KEEP_ALIVE_60, str(""), "00")),

                // ---- UTF-8 ------------------------------------------------------------------------
                invalid(Violation.UTF8_ILL_FORMED, V3_1_1, "MQTT-1.5.3-1",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, strHex("c3 28"))),
                invalid(Violation.UTF8_ILL_FORMED, V3_1_1, "MQTT-1.5.3-1 (surrogate U+D800)",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, strHex("eda080"))),
                invalid(Violation.UTF8_ILL_FORMED, V3_1_1, "MQTT-1.5.3-1 (overlong C0 80)",
                        connect(MQTT_311, "02", KEEP_ALIVE_60, strHex("c080"))),
                invalid(Violation.UTF8_ILL_FORMED, V5, "MQTT-1.5.4-1 (above U+10FFFF)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, strHex("f4908080"))),
                invalid(Violation.UTF8_ILL_FORMED, V5, "MQTT-1.5.4-1 (sequence cut by the string's end)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, strHex("61 e282"))),
                invalid(Violation.UTF8_NULL, V3_1_1, "MQTT-1.5.3-2",
                        connect(MQTT_311, "82", KEEP_ALIVE_60, str("a"), strHex("61 00 62"))),
                invalid(Violation.UTF8_NULL, V5, "MQTT-1.5.4-2",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, strHex("00"))),
                invalid(Violation.UTF8_ILL_FORMED, V5, "MQTT-1.5.4-1 (in a user property value, MQTT-1.5.7-1)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("26", str("k"), strHex("c328")), str("a"))),

                // ---- topic names ------------------------------------------------------------------
                invalid(Violation.WILL_TOPIC_EMPTY, V3_1_1, "MQTT-4.7.3-1",
                        connect(MQTT_311, "06", KEEP_ALIVE_60, str("a"), str(""), str("m"))),
                invalid(Violation.WILL_TOPIC_WILDCARD, V3_1_1, "MQTT-4.7.1-1",
                        connect(MQTT_311, "06", KEEP_ALIVE_60, str("a"), str("a/#"), str("m"))),
                invalid(Violation.WILL_TOPIC_WILDCARD, V5, "MQTT-4.7.0-1",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), NO_PROPERTIES, str("a/+/b"),
                                str("m"))),

                // ---- client identifier ------------------------------------------------------------
                invalid(Violation.CLIENT_ID_LENGTH_3_1, V3_1, "MQTT 3.1 §3.1 (24 bytes)",
                        connect(MQISDP_31, "02", KEEP_ALIVE_60, str("abcdefghijklmnopqrstuvwx"))),
                invalid(Violation.CLIENT_ID_LENGTH_3_1, V3_1, "MQTT 3.1 §3.1 (empty)",
                        connect(MQISDP_31, "02", KEEP_ALIVE_60, str(""))),
                invalid(Violation.CLIENT_ID_EMPTY_WITHOUT_CLEAN_SESSION, V3_1_1, "MQTT-3.1.3-8",
                        connect(MQTT_311, "00", KEEP_ALIVE_60, str(""))),

                // ---- 5.0 properties ---------------------------------------------------------------
                invalid(Violation.PROPERTIES_CUT_SHORT, V5, "MQTT 5.0 §2.2.2.1",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, "7f", str("a"))),
                invalid(Violation.VARIABLE_BYTE_INTEGER_NOT_MINIMAL, V5, "MQTT-1.5.5-1 (property length)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, "8000", str("a"))),
                invalid(Violation.PROPERTY_CUT_SHORT, V5, "MQTT 5.0 §2.2.2",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("11 0000"), str("a"))),
                invalid(Violation.PROPERTY_CUT_SHORT, V5, "MQTT 5.0 §2.2.2 (four-byte value one byte short)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("11 000000"), str("a"))),
                invalid(Violation.PROPERTY_CUT_SHORT, V5, "MQTT 5.0 §2.2.2 (two-byte value one byte short)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("21 00"), str("a"))),
                invalid(Violation.PROPERTY_CUT_SHORT, V5, "MQTT 5.0 §2.2.2 (byte value missing)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("19"), str("a"))),
                invalid(Violation.PROPERTY_CUT_SHORT, V5, "MQTT 5.0 §2.2.2 (will delay one byte short)",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), properties("18 000000"),
                                str("t"), str("m"))),
                invalid(Violation.PROPERTY_UNKNOWN, V5, "MQTT 5.0 §2.2.2.2 (assigned client id is CONNACK-only)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("12", str("x")), str("a"))),
                invalid(Violation.PROPERTY_UNKNOWN, V5, "MQTT 5.0 §2.2.2.2 (identifier 0x80)",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("80 01"), str("a"))),
                invalid(Violation.PROPERTY_REPEATED, V5, "MQTT 5.0 §3.1.2.11",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("11 00000001", "11 00000002"), str("a"))),
                invalid(Violation.RECEIVE_MAXIMUM_ZERO, V5, "MQTT 5.0 §3.1.2.11.3",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("21 0000"), str("a"))),
                invalid(Violation.MAXIMUM_PACKET_SIZE_ZERO, V5, "MQTT 5.0 §3.1.2.11.4",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("27 00000000"), str("a"))),
                invalid(Violation.REQUEST_RESPONSE_INFORMATION_VALUE, V5, "MQTT 5.0 §3.1.2.11.6",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("19 02"), str("a"))),
                invalid(Violation.REQUEST_PROBLEM_INFORMATION_VALUE, V5, "MQTT 5.0 §3.1.2.11.7",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("17 02"), str("a"))),
                invalid(Violation.AUTHENTICATION_DATA_WITHOUT_METHOD, V5, "MQTT 5.0 §3.1.2.11.10",
                        connect(MQTT_5, "02", KEEP_ALIVE_60, properties("16", strHex("01")), str("a"))),
                invalid(Violation.PROPERTY_UNKNOWN, V5, "MQTT 5.0 §2.2.2.2 (session expiry in the will list)",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), properties("11 00000001"),
                                str("t"), str("m"))),
                invalid(Violation.PAYLOAD_FORMAT_VALUE, V5, "MQTT 5.0 §3.1.3.2.3",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), properties("01 02"),
                                str("t"), str("m"))),
                invalid(Violation.PROPERTY_REPEATED, V5, "MQTT 5.0 §3.1.2.11, §3.1.3.2 (content type twice)",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"),
                                properties("03", str("a"), "03", str("b")), str("t"), str("m"))),
                invalid(Violation.RESPONSE_TOPIC_WILDCARD, V5, "MQTT-3.3.2-14",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), properties("08", str("r/#")),
                                str("t"), str("m"))),
                invalid(Violation.RESPONSE_TOPIC_EMPTY, V5, "MQTT-4.7.3-1",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), properties("08", str("")),
                                str("t"), str("m"))),
                invalid(Violation.PROPERTIES_CUT_SHORT, V5, "MQTT 5.0 §2.2.2.1 (will properties)",
                        connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), "40")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseIsJudgedByItsRule(Case c) {
        ParseResult result = PARSER.parse(ByteBuffer.wrap(c.packet()));
        if (c.violation() == null) {
            assertTrue(result.isValid(), () -> "expected VALID, got " + result);
            assertEquals(c.version(), result.connect().version());
            assertEquals(c.packet().length, result.connect().packetLength());
        } else {
            assertSame(ParseResult.Status.INVALID, result.status(), () -> "expected INVALID, got " + result);
            assertEquals(c.violation(), result.violation());
            assertEquals(c.version(), result.version());
            String cited = c.rule().split(" \\(|: ")[0];
            assertTrue(result.reason().contains(cited), () -> result.reason() + " does not cite " + cited);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fedOneByteAtATimeEachCaseWaitsThenReachesTheSameAnswer(Case c) {
        ParseResult whole = PARSER.parse(ByteBuffer.wrap(c.packet()));
        for (int n = 0; n < c.packet().length; n++) {
            ParseResult partial = PARSER.parse(ByteBuffer.wrap(Arrays.copyOf(c.packet(), n)));
            if (whole.isValid()) {
                assertSame(ParseResult.NEED_MORE, partial, "after " + n + " bytes");
            } else if (partial != ParseResult.NEED_MORE) {
                // Only the fixed header is judged early, and then the same way as the whole packet.
                assertEquals(whole.violation(), partial.violation(), "after " + n + " bytes");
            }
        }
    }
}
