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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import lb.core.Verdict;
import lb.core.stats.Termination;

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
        assertEquals("2003008800", hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))), Termination.NO_SERVER))));
        assertEquals("20020003", hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.NO_SERVER))));
        assertEquals("20020003", hexOf(bytes(replying.refusalReply(wrap(
                connect(MQISDP_31, "02", KEEP_ALIVE_60, str("a"))), Termination.CONNECT_FAILED))));
        assertNull(silent.refusalReply(wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.NO_SERVER));
    }

    @Test
    void fullServersMeanServerBusyForMqtt5AndUnavailableForOlderClients() {
        assertEquals("2003008900", hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a"))), Termination.QUEUE_FULL))));
        assertEquals("20020003", hexOf(bytes(replying.refusalReply(wrap(
                connect(MQTT_311, "02", KEEP_ALIVE_60, str("a"))), Termination.QUEUE_TIMEOUT))));
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

    @ParameterizedTest
    @EnumSource(Violation.class)
    void everyViolationMapsToItsCodeInEachLayout(Violation violation) {
        for (MqttVersion version : MqttVersion.values()) {
            ByteBuffer reply = Connack.refusal(ParseResult.invalid(violation, version));
            int code = version == MqttVersion.V5 ? violation.v5ReasonCode() : violation.v3ReturnCode();
            if (code == Connack.NONE) {
                assertNull(reply, violation + " " + version);
            } else if (version == MqttVersion.V5) {
                assertEquals("200300" + String.format("%02x", code) + "00", hexOf(bytes(reply)));
            } else {
                assertEquals("200200" + String.format("%02x", code), hexOf(bytes(reply)));
            }
        }
        assertNull(Connack.refusal(ParseResult.invalid(violation, null)), "no version, no layout to reply in");
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
