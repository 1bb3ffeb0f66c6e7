package lb.mqtt;

import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.properties;
import static lb.mqtt.Packets.str;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * Guards "allocates only the fields asked for": waiting and refusing from the header cost
 * nothing; a valid CONNECT costs its result and client id string, whatever else it carries.
 */
class ParserAllocationTest {
    private static final int ROUNDS = 20_000;
    private final MqttConnectParser parser = new MqttConnectParser();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void waitingForTheRestOfAConnectAllocatesNothing() {
        byte[] packet = connect(MQTT_311, "02", KEEP_ALIVE_60, str("sensor-17"));
        ByteBuffer partial = ByteBuffer.wrap(Arrays.copyOf(packet, packet.length - 1));
        assertSame(ParseResult.NEED_MORE, parser.parse(partial));
        assertTrue(bytesPerParse(() -> parser.parse(partial)) < 1, "NEED_MORE must not allocate");
    }

    @Test
    void refusingFromTheHeaderAllocatesNothing() {
        ByteBuffer notMqtt = ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes());
        ByteBuffer tooLarge = ByteBuffer.wrap(Packets.hex("10 ff ff 7f"));
        assertTrue(bytesPerParse(() -> parser.parse(notMqtt)) < 1);
        assertTrue(bytesPerParse(() -> parser.parse(tooLarge)) < 1);
    }

    @Test
    void aValidConnectCostsItsResultAndClientIdWhateverElseItCarries() {
        ByteBuffer small = ByteBuffer.wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str("sensor-17")));
        // Same client id, plus properties, a will, a user name and a password: none of it is copied.
        ByteBuffer rich = ByteBuffer.wrap(connect(MQTT_5, "ee", KEEP_ALIVE_60,
                properties("11 0000003c", "26", str("region"), str("eu-west"), "15", str("SCRAM-SHA-256")),
                str("sensor-17"), properties("03", str("application/json"), "26", str("k"), str("v")),
                str("devices/sensor-17/status"), str("{\"online\":false}".repeat(20)), str("alice"),
                str("correct horse battery staple")));
        assertTrue(parser.parse(rich).isValid());
        double smallCost = bytesPerParse(() -> parser.parse(small));
        double richCost = bytesPerParse(() -> parser.parse(rich));
        // ParseResult ~32 B + Connect ~140 B + field table 112 B + a 9-character String ~48 B.
        assertTrue(smallCost < 400, "valid CONNECT allocated " + smallCost + " bytes");
        assertTrue(richCost <= smallCost + 8, "rich CONNECT allocated " + richCost + " vs " + smallCost + " bytes");
    }

    private double bytesPerParse(Supplier<ParseResult> parse) {
        for (int i = 0; i < ROUNDS; i++) {
            parse.get();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            parse.get();
        }
        long after = threads.getCurrentThreadAllocatedBytes();
        return (double) (after - before) / ROUNDS;
    }
}
