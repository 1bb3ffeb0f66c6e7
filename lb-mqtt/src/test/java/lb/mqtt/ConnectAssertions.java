package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Checks that a parsed {@link Connect} holds exactly what a {@link ConnectSpec} put in. */
final class ConnectAssertions {
    private ConnectAssertions() {
    }

    /** {@code packet} is the parsed buffer, its position at the CONNECT's first byte. */
    static void assertMatches(ConnectSpec spec, Connect c, ByteBuffer packet) {
        assertEquals(spec.version(), c.version());
        assertEquals(spec.clientId(), c.clientId());
        assertEquals(spec.clientId(), c.text(Field.CLIENT_ID, packet));
        assertEquals(spec.keepAlive(), c.keepAliveSeconds());
        assertEquals(spec.cleanStart(), c.cleanStart());
        assertEquals(spec.username() != null, c.hasUsername());
        assertEquals(spec.username(), c.text(Field.USERNAME, packet));
        assertEquals(spec.password() != null, c.hasPassword());
        assertBytes(spec.password(), c.bytes(Field.PASSWORD, packet));

        ConnectSpec.Will will = spec.will();
        assertEquals(will != null, c.hasWill());
        assertEquals(will == null ? 0 : will.qos(), c.willQos());
        assertEquals(will != null && will.retain(), c.willRetain());
        assertEquals(will == null ? null : will.topic(), c.text(Field.WILL_TOPIC, packet));
        assertBytes(will == null ? null : will.payload(), c.bytes(Field.WILL_PAYLOAD, packet));

        ConnectSpec.Properties p = spec.properties();
        if (p == null) {
            assertFalse(c.has(Field.PROPERTIES));
            assertEquals(0, c.sessionExpiryInterval());
            assertEquals(65_535, c.receiveMaximum());
        } else {
            assertEquals(p.sessionExpiryInterval() == null ? 0 : p.sessionExpiryInterval(), c.sessionExpiryInterval());
            assertEquals(p.receiveMaximum() == null ? 65_535 : p.receiveMaximum(), c.receiveMaximum());
            assertEquals(p.maximumPacketSize() == null ? 0 : p.maximumPacketSize(), c.maximumPacketSize());
            assertEquals(p.topicAliasMaximum() == null ? 0 : p.topicAliasMaximum(), c.topicAliasMaximum());
            assertEquals(p.requestResponseInformation() != null && p.requestResponseInformation(),
                    c.requestResponseInformation());
            assertEquals(p.requestProblemInformation() == null || p.requestProblemInformation(),
                    c.requestProblemInformation());
            assertEquals(p.userProperties().size(), c.userPropertyCount());
            assertEquals(p.userProperties(), userProperties(c.bytes(Field.PROPERTIES, packet)));
            assertEquals(p.authenticationMethod(), c.text(Field.AUTHENTICATION_METHOD, packet));
            assertBytes(p.authenticationData(), c.bytes(Field.AUTHENTICATION_DATA, packet));
        }

        ConnectSpec.WillProperties w = will == null ? null : will.properties();
        if (w == null) {
            assertFalse(c.has(Field.WILL_PROPERTIES));
            assertEquals(-1, c.willMessageExpiryInterval());
        } else {
            assertEquals(w.willDelayInterval() == null ? 0 : w.willDelayInterval(), c.willDelayInterval());
            assertEquals(w.payloadFormat() == null ? 0 : w.payloadFormat(), c.willPayloadFormat());
            assertEquals(w.messageExpiryInterval() == null ? -1 : w.messageExpiryInterval(),
                    c.willMessageExpiryInterval());
            assertEquals(w.contentType(), c.text(Field.WILL_CONTENT_TYPE, packet));
            assertEquals(w.responseTopic(), c.text(Field.WILL_RESPONSE_TOPIC, packet));
            assertBytes(w.correlationData(), c.bytes(Field.WILL_CORRELATION_DATA, packet));
            assertEquals(w.userProperties().size(), c.willUserPropertyCount());
            assertEquals(w.userProperties(), userProperties(c.bytes(Field.WILL_PROPERTIES, packet)));
        }
    }

    static void assertBytes(byte[] expected, ByteBuffer actual) {
        if (expected == null) {
            assertNull(actual);
            return;
        }
        byte[] got = new byte[actual.remaining()];
        actual.duplicate().get(got);
        assertArrayEquals(expected, got);
    }

    /** The user properties of a raw 5.0 property list, in order: a test-side walk of the list. */
    static List<List<String>> userProperties(ByteBuffer list) {
        List<List<String>> pairs = new ArrayList<>();
        ByteBuffer b = list.duplicate();
        while (b.hasRemaining()) {
            int id = b.get() & 0xFF;
            switch (id) {
                case 0x01, 0x17, 0x19 -> b.get();
                case 0x21, 0x22 -> b.getShort();
                case 0x02, 0x11, 0x18, 0x27 -> b.getInt();
                case 0x03, 0x08, 0x09, 0x15, 0x16 -> {
                    int length = b.getShort() & 0xFFFF;
                    b.position(b.position() + length);
                }
                case 0x26 -> pairs.add(List.of(string(b), string(b)));
                default -> throw new AssertionError("unexpected property 0x" + Integer.toHexString(id));
            }
        }
        return pairs;
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.getShort() & 0xFFFF];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
