package lb.mqtt;

import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQISDP_31;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.NO_PROPERTIES;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.hexOf;
import static lb.mqtt.Packets.properties;
import static lb.mqtt.Packets.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import lb.core.model.Termination;
import lb.core.model.Verdict;

class ConnectInspectorTest {
    private final ConnectInspector silent = Mqtt.connectInspector();
    private final ConnectInspector replying = Mqtt.connectInspector().withConnackReplies(true);

    @Test
    void aValidConnectRoutesByItsClientId() {
        Verdict v = silent.inspect(wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("sensor-7"))));
        assertEquals(Verdict.Kind.ROUTE, v.kind());
        assertEquals("sensor-7", v.key());
    }

    @Test
    void anEmptyClientIdRoutesWithoutAKeySoTheBalancerPicks() {
        assertSame(Verdict.ROUTE_WITHOUT_KEY, silent.inspect(wrap(connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES,
                str("")))));
    }

    @Test
    void anIncompleteConnectNeedsMore() {
        byte[] packet = connect(MQTT_311, "02", KEEP_ALIVE_60, str("abc"));
        assertSame(Verdict.NEED_MORE, silent.inspect(wrap(Arrays.copyOf(packet, packet.length - 1))));
    }

    @Test
    void inspectingLeavesTheBufferAsItWas() {
        ByteBuffer bytes = wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("abc")));
        silent.inspect(bytes);
        assertEquals(0, bytes.position());
        assertEquals(bytes.capacity(), bytes.limit());
    }

    @Test
    void anInvalidConnectIsRejectedCitingTheRuleAndWithoutAReplyByDefault() {
        Verdict v = silent.inspect(wrap(connect(MQTT_311, "03", KEEP_ALIVE_60, str("a"))));
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertEquals("MQTT-3.1.2-3 reserved flag set", v.reason());
        assertNull(v.reply());
    }

    @Test
    void aRefusedProtocolLevelGetsTheRefusalOfTheLayoutTheClientReads() {
        assertReply("20020001", connect("0004 4d515454 03", "02", KEEP_ALIVE_60, str("a")));
        assertReply("20020001", connect("0006 4d5149736470 04", "02", KEEP_ALIVE_60, str("a")));
        assertReply("2003008400", connect("0004 4d515454 06", "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a")));
    }

    @Test
    void aRefusedClientIdGetsIdentifierRejected() {
        assertReply("20020002", connect(MQTT_311, "00", KEEP_ALIVE_60, str("")));
        assertReply("20020002", connect(MQISDP_31, "02", KEEP_ALIVE_60, str("x".repeat(24))));
    }

    @Test
    void a5ClientGetsMalformedProtocolErrorTopicNameOrTooLarge() {
        assertReply("2003008100", connect(MQTT_5, "01", KEEP_ALIVE_60, NO_PROPERTIES, str("a")));
        assertReply("2003008200", connect(MQTT_5, "02", KEEP_ALIVE_60, properties("21 0000"), str("a")));
        assertReply("2003009000", connect(MQTT_5, "06", KEEP_ALIVE_60, NO_PROPERTIES, str("a"), NO_PROPERTIES,
                str("a/#"), str("m")));
        // Refused from its header and first bytes, long before the 70,000 announced bytes arrive.
        byte[] head = Packets.concat(new byte[] {0x10}, Packets.vbi(70_000),
                Packets.hex(MQTT_5 + "02" + KEEP_ALIVE_60 + NO_PROPERTIES));
        assertReply("2003009500", head);
    }

    @Test
    void a311ClientGetsNoConnackForAMalformedPacket() {
        // 3.1.1 closes without a CONNACK when the CONNECT does not conform [MQTT-3.1.4-1].
        Verdict v = replying.inspect(wrap(connect(MQTT_311, "03", KEEP_ALIVE_60, str("a"))));
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertNull(v.reply());
    }

    @Test
    void whatIsNotMqttGetsNoConnack() {
        Verdict v = replying.inspect(wrap("GET / HTTP/1.1\r\n".getBytes()));
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertNull(v.reply());
    }

    @Test
    void noServerMeansServerUnavailableInTheClientsLayoutWhenRepliesAreOn() {
        assertEquals(v5Connack(V5_SERVER_UNAVAILABLE), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))), Termination.NO_SERVER))));
        assertEquals(v3Connack(V3_SERVER_UNAVAILABLE), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.NO_SERVER))));
        assertEquals(v3Connack(V3_SERVER_UNAVAILABLE), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQISDP_31, "02", KEEP_ALIVE_60, str("a"))), Termination.CONNECT_FAILED))));
        assertNull(silent.refusalReply(wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.NO_SERVER));
    }

    @Test
    void fullServersMeanServerBusyForMqtt5AndUnavailableForOlderClients() {
        assertEquals(v5Connack(V5_SERVER_BUSY), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))), Termination.QUEUE_FULL))));
        assertEquals(v3Connack(V3_SERVER_UNAVAILABLE), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.QUEUE_TIMEOUT))));
    }

    @Test
    void aRateLimitedKeyMeansConnectionRateExceededForMqtt5AndUnavailableForOlderClients() {
        assertEquals(v5Connack(V5_CONNECTION_RATE_EXCEEDED), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))), Termination.KEY_RATE_LIMITED))));
        assertEquals(v3Connack(V3_SERVER_UNAVAILABLE), hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.KEY_RATE_LIMITED))));
    }

    @Test
    void sourceLimitsMeanRateExceededOrQuotaExceededForMqtt5AndUnavailableForOlderClients() {
        byte[] v5 = connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"));
        byte[] v3 = connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"));
        assertEquals(v5Connack(V5_CONNECTION_RATE_EXCEEDED),
                hexOf(bytes(replying.refusalReply(wrap(v5), Termination.SOURCE_RATE_LIMITED))));
        assertEquals(v5Connack(V5_QUOTA_EXCEEDED), hexOf(bytes(replying.refusalReply(wrap(v5), Termination.SOURCE_LIMITED))));
        assertEquals(v3Connack(V3_SERVER_UNAVAILABLE),
                hexOf(bytes(replying.refusalReply(wrap(v3), Termination.SOURCE_RATE_LIMITED))));
        assertEquals(v3Connack(V3_SERVER_UNAVAILABLE), hexOf(bytes(replying.refusalReply(wrap(v3), Termination.SOURCE_LIMITED))));
        // Refused before inspection, a client may have sent too little to tell its version: no answer yet.
        assertNull(replying.refusalReply(wrap(Arrays.copyOf(v5, 3)), Termination.SOURCE_LIMITED));
        assertNull(replying.refusalReply(wrap(new byte[0]), Termination.SOURCE_LIMITED));
    }

    @Test
    void aRouteCarriesTheUserNameForPriorityRules() {
        Verdict withUser = silent.inspect(wrap(connect(MQTT_311, "c2", KEEP_ALIVE_60, str("gw-1"), str("gateway"),
                str("secret"))));
        assertEquals("gw-1", withUser.key());
        assertEquals("gateway", withUser.user());
        assertNull(silent.inspect(wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("gw-1")))).user());
    }

    @Test
    void theClientTimeoutFollowsTheAnnouncedKeepAlive() {
        ConnectInspector keepAlive = Mqtt.connectInspector().withKeepAliveTimeout(1.5, java.time.Duration.ofSeconds(10));
        Verdict v = keepAlive.inspect(wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))));
        assertEquals(java.time.Duration.ofSeconds(90).toNanos(), v.clientTimeoutNs(), "1.5 x 60 s");
        Verdict none = Mqtt.connectInspector().inspect(wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))));
        assertEquals(0, none.clientTimeoutNs(), "off by default: the frontend's timeout");
    }

    @Test
    void repliesAreReadOnlyViewsThatDoNotShareAPosition() {
        byte[] packet = connect(MQTT_5, "01", KEEP_ALIVE_60, NO_PROPERTIES, str("a"));
        ByteBuffer first = replying.inspect(wrap(packet)).reply();
        first.position(first.limit());
        ByteBuffer second = replying.inspect(wrap(packet)).reply();
        assertTrue(second.isReadOnly());
        assertEquals(5, second.remaining());
    }

    // ---- the refusal codes, written out from the specifications, not read from Violation ----------

    /** No CONNACK: the rule says close the connection without one, or the client's version is unknown. */
    private static final int NO_REPLY = -1;

    // MQTT 3.1.1 §3.2.2.3, Table 3.1 "Connect Return code values" (3.1 §3.2 has the same 1..5).
    private static final int V3_UNACCEPTABLE_PROTOCOL_VERSION = 0x01;
    private static final int V3_IDENTIFIER_REJECTED = 0x02;
    private static final int V3_SERVER_UNAVAILABLE = 0x03;

    // MQTT 5.0 §3.2.2.2, Table 3-1 "Connect Reason Code values".
    private static final int V5_MALFORMED_PACKET = 0x81;
    private static final int V5_PROTOCOL_ERROR = 0x82;
    private static final int V5_UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    private static final int V5_SERVER_UNAVAILABLE = 0x88;
    private static final int V5_SERVER_BUSY = 0x89;
    private static final int V5_TOPIC_NAME_INVALID = 0x90;
    private static final int V5_PACKET_TOO_LARGE = 0x95;
    private static final int V5_QUOTA_EXCEEDED = 0x97;
    private static final int V5_CONNECTION_RATE_EXCEEDED = 0x9F;
    // The other codes judge credentials, authorisation or broker policy, which a balancer does
    // not: 3.1.1 4 and 5; 5.0 0x80, 0x83, 0x85-0x87, 0x8A, 0x8C, 0x99-0x9D.

    /** What each version's specification answers a violation with. */
    private record Refusal(int v3ReturnCode, int v5ReasonCode) {
    }

    /**
     * One row per violation: the 3.1/3.1.1 return code, then the 5.0 reason code, each with the
     * sentence of the specification it comes from. 3.1.1 answers a malformed CONNECT by closing
     * without a CONNACK [MQTT-3.1.4-1]; it has a code only for the protocol level and the client
     * identifier. 5.0 §4.13 and [MQTT-3.1.4-1] allow a CONNACK with a code of 0x80 or above
     * before closing; 0x81 where the text says "is a Malformed Packet", 0x82 where it says "It is
     * a Protocol Error". A violation that one version does not have gets NO_REPLY there.
     */
    private static final Map<Violation, Refusal> SPECIFIED = specified();

    private static Map<Violation, Refusal> specified() {
        Map<Violation, Refusal> t = new EnumMap<>(Violation.class);
        // Found before the protocol level: no version, so no layout to reply in. 3.1.1 closes
        // [MQTT-3.1.0-1, MQTT-2.2.2-2]; 5.0 calls bad flags a Malformed Packet [MQTT-2.1.3-1],
        // but the first byte comes before the version, so the client is closed without a word.
        t.put(Violation.NOT_CONNECT, new Refusal(NO_REPLY, NO_REPLY));
        t.put(Violation.FIXED_HEADER_FLAGS, new Refusal(NO_REPLY, NO_REPLY));
        // 5.0 §1.5.5: more than 4 bytes, or not the minimum number of bytes [MQTT-1.5.5-1]: the
        // packet cannot be parsed. (In a 5.0 property length the version is known.)
        t.put(Violation.VARIABLE_BYTE_INTEGER_TOO_LONG, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.VARIABLE_BYTE_INTEGER_NOT_MINIMAL, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // 5.0 Table 3-1, 0x95: "The CONNECT packet exceeded the maximum permissible size."
        t.put(Violation.TOO_LARGE, new Refusal(NO_REPLY, V5_PACKET_TOO_LARGE));
        t.put(Violation.VARIABLE_HEADER_CUT_SHORT, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // [MQTT-3.1.2-1]: with an unknown protocol name the server MAY disconnect.
        t.put(Violation.PROTOCOL_NAME, new Refusal(NO_REPLY, NO_REPLY));
        // [MQTT-3.1.2-2]: 3.1.1 "MUST respond ... with return code 0x01"; 5.0 "MAY send ... 0x84".
        t.put(Violation.PROTOCOL_LEVEL, new Refusal(V3_UNACCEPTABLE_PROTOCOL_VERSION, V5_UNSUPPORTED_PROTOCOL_VERSION));
        // 5.0 [MQTT-3.1.2-3]: "If the reserved flag is not 0 it is a Malformed Packet."
        t.put(Violation.RESERVED_FLAG, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // 5.0 [MQTT-3.1.2-11..13]: will QoS/retain are connect flags; QoS 3 "is a Malformed Packet".
        t.put(Violation.WILL_QOS_WITHOUT_WILL, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.WILL_QOS_3, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.WILL_RETAIN_WITHOUT_WILL, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // 3.1.1 only [MQTT-3.1.2-22]; 5.0 §3.1.2.9 allows a password without a user name.
        t.put(Violation.PASSWORD_WITHOUT_USERNAME, new Refusal(NO_REPLY, NO_REPLY));
        // 5.0 §2.2.2.2: "an Identifier which is not valid for its packet type ... is a Malformed Packet";
        // lengths that run past their end cannot be parsed.
        t.put(Violation.PROPERTIES_CUT_SHORT, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.PROPERTY_CUT_SHORT, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.PROPERTY_UNKNOWN, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // 5.0 §3.1.2.11.x, §3.1.3.2.x: "It is a Protocol Error to include ... more than once",
        // "... or for it to have the value 0", "... or to have a value other than 0 or 1",
        // "... to include Authentication Data if there is no Authentication Method".
        t.put(Violation.PROPERTY_REPEATED, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        t.put(Violation.RECEIVE_MAXIMUM_ZERO, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        t.put(Violation.MAXIMUM_PACKET_SIZE_ZERO, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        t.put(Violation.REQUEST_RESPONSE_INFORMATION_VALUE, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        t.put(Violation.REQUEST_PROBLEM_INFORMATION_VALUE, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        t.put(Violation.AUTHENTICATION_DATA_WITHOUT_METHOD, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        // 5.0 §3.1.3.2.3 defines only the values 0 and 1 and names no code for others; 0x99
        // (payload format invalid) is for a payload that does not match the indicator.
        t.put(Violation.PAYLOAD_FORMAT_VALUE, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        // The response topic is not the will topic, so 0x90 (for "the Will Topic Name") does not
        // apply; [MQTT-3.3.2-14] and [MQTT-4.7.3-1] name no code: a Protocol Error.
        t.put(Violation.RESPONSE_TOPIC_EMPTY, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        t.put(Violation.RESPONSE_TOPIC_WILDCARD, new Refusal(NO_REPLY, V5_PROTOCOL_ERROR));
        // Fields the flags announce must be present [MQTT-3.1.3-3, 3.1.2-9, 3.1.2-17, 3.1.2-19]
        // and nothing may follow them [MQTT-3.1.4-1]: unparseable.
        t.put(Violation.CLIENT_ID_MISSING, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.WILL_MISSING, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.USERNAME_MISSING, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.PASSWORD_MISSING, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.TRAILING_BYTES, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // 5.0 [MQTT-1.5.4-1, -2]: ill-formed UTF-8 or U+0000 "is a Malformed Packet".
        t.put(Violation.UTF8_ILL_FORMED, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        t.put(Violation.UTF8_NULL, new Refusal(NO_REPLY, V5_MALFORMED_PACKET));
        // 5.0 Table 3-1, 0x90: "The Will Topic Name is not malformed, but is not accepted".
        t.put(Violation.WILL_TOPIC_EMPTY, new Refusal(NO_REPLY, V5_TOPIC_NAME_INVALID));
        t.put(Violation.WILL_TOPIC_WILDCARD, new Refusal(NO_REPLY, V5_TOPIC_NAME_INVALID));
        // 3.1 §3.1: over 23 characters "responds ... with a CONNACK return code 2"; 3.1.1
        // [MQTT-3.1.3-8]: empty with clean session 0, "return code 0x02 (Identifier rejected)".
        // 5.0 lets the server assign an identifier, so neither is a 5.0 violation.
        t.put(Violation.CLIENT_ID_LENGTH_3_1, new Refusal(V3_IDENTIFIER_REJECTED, NO_REPLY));
        t.put(Violation.CLIENT_ID_EMPTY_WITHOUT_CLEAN_SESSION, new Refusal(V3_IDENTIFIER_REJECTED, NO_REPLY));
        return t;
    }

    @Test
    void theSpecifiedTableHasARowForEveryViolation() {
        EnumSet<Violation> missing = EnumSet.complementOf(EnumSet.copyOf(SPECIFIED.keySet()));
        assertTrue(missing.isEmpty(), "look up in the specifications what these are answered with: " + missing);
    }

    @ParameterizedTest
    @EnumSource(Violation.class)
    void everyViolationGetsTheCodeItsVersionSpecifies(Violation violation) {
        Refusal specified = SPECIFIED.get(violation);
        for (MqttVersion version : MqttVersion.values()) {
            ByteBuffer reply = Connack.refusal(ParseResult.invalid(violation, version));
            assertEquals(expectedConnack(specified, version), reply == null ? null : hexOf(bytes(reply)),
                    violation + " " + version);
        }
        assertNull(Connack.refusal(ParseResult.invalid(violation, null)), "no version, no layout to reply in");
    }

    /** Through the parser: each hand-written invalid CONNECT gets the CONNACK of the version it speaks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lb.mqtt.SpecCasesTest#cases")
    void everyInvalidSpecCaseGetsItsVersionsConnack(SpecCasesTest.Case c) {
        Verdict v = replying.inspect(wrap(c.packet()));
        if (c.violation() == null) {
            assertEquals(Verdict.Kind.ROUTE, v.kind(), v::toString);
            return;
        }
        assertEquals(Verdict.Kind.REJECT, v.kind(), v::toString);
        String expected = c.version() == null ? null : expectedConnack(SPECIFIED.get(c.violation()), c.version());
        assertEquals(expected, v.reply() == null ? null : hexOf(bytes(v.reply())), v.reason());
    }

    /** The CONNACK {@code version}'s specification answers with, as hex; null for none. */
    private static String expectedConnack(Refusal specified, MqttVersion version) {
        int code = version == MqttVersion.V5 ? specified.v5ReasonCode() : specified.v3ReturnCode();
        return code == NO_REPLY ? null : version == MqttVersion.V5 ? v5Connack(code) : v3Connack(code);
    }

    /** 3.1.1 §3.2: type 2, remaining length 2, session present 0, the return code. */
    private static String v3Connack(int returnCode) {
        return String.format("200200%02x", returnCode);
    }

    /** 5.0 §3.2: type 2, remaining length 3, session present 0, the reason code, no properties. */
    private static String v5Connack(int reasonCode) {
        return String.format("200300%02x00", reasonCode);
    }

    @Test
    void defaultsAreTheFrontendsCapAndNoReplies() {
        assertEquals(64 * 1024, silent.maxPacketSize());
        assertFalse(silent.connackReplies());
        ConnectInspector small = silent.withMaxPacketSize(100);
        assertEquals(100, small.maxPacketSize());
        assertEquals(64 * 1024, silent.maxPacketSize(), "with... returns a copy");
        byte[] over = connect(MQTT_311, "02", KEEP_ALIVE_60, str("x".repeat(87)));
        byte[] atCap = connect(MQTT_311, "02", KEEP_ALIVE_60, str("x".repeat(86)));
        assertEquals(101, over.length);
        assertEquals(100, atCap.length);
        assertEquals(Violation.TOO_LARGE.reason(MqttVersion.V3_1_1), small.inspect(wrap(over)).reason());
        assertEquals(Verdict.Kind.ROUTE, small.inspect(wrap(atCap)).kind());
    }

    private void assertReply(String expectedHex, byte[] packet) {
        Verdict v = replying.inspect(wrap(packet));
        assertEquals(Verdict.Kind.REJECT, v.kind(), () -> v.toString());
        assertEquals(expectedHex, hexOf(bytes(v.reply())), v.reason());
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
