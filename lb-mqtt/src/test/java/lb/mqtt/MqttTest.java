package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import lb.core.stick.StickTable;

class MqttTest {

    @Test
    void theClientIdStickTableRemembersAnIdUntilItIdlesOut() {
        StickTable table = Mqtt.clientIdStickTable(10, Duration.ofSeconds(30));
        table.store("sensor-1", "broker-a", 0);
        assertEquals("broker-a", table.lookup("sensor-1", Duration.ofSeconds(29).toNanos()));
        assertNull(table.lookup("sensor-1", Duration.ofSeconds(60).toNanos()));
    }

    @Test
    void theClientIdStickTableKeepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        StickTable table = Mqtt.clientIdStickTable(2, Duration.ofMinutes(1));
        table.store("a", "broker-a", 0);
        table.store("b", "broker-b", 1);
        table.lookup("a", 2);
        table.store("c", "broker-a", 3);
        assertEquals(2, table.size());
        assertNull(table.lookup("b", 4));
        assertEquals("broker-a", table.lookup("a", 4));
    }

    @Test
    void clientIdsLongerThanTheStickyLimitAreRememberedAsADigestAndCounted() {
        StickTable table = Mqtt.clientIdStickTable(10, Duration.ofMinutes(1), Duration.ofSeconds(10));
        String longest = "x".repeat(Mqtt.MAX_STICKY_CLIENT_ID_LENGTH);
        String longer = longest + "y";
        assertSame(longest, table.tableKey(longest), "at the limit: kept as it is");
        assertTrue(table.tableKey(longer).length() < longer.length(), "over it: a digest");
        table.store(longest, "broker-a", 0);
        table.store(longer, "broker-b", 0);
        assertEquals("broker-a", table.lookup(longest, 1));
        assertEquals("broker-b", table.lookup(longer, 1));
        assertEquals(2, table.size());
        assertEquals(1, table.countConnection(longer, 2));
        assertEquals(2, table.countConnection(longer, 3));
    }

    @Test
    void aStickTableNeedsAPositiveCapacityAndExpiry() {
        assertThrows(IllegalArgumentException.class, () -> Mqtt.clientIdStickTable(0, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> Mqtt.clientIdStickTable(1, Duration.ZERO));
    }

    @Test
    void aParserCapMustFitTheSmallestAndLargestPossibleConnect() {
        assertThrows(IllegalArgumentException.class, () -> new MqttConnectParser(MqttConnectParser.MIN_PACKET_SIZE - 1));
        assertThrows(IllegalArgumentException.class, () -> new MqttConnectParser(MqttConnectParser.MAX_PACKET_SIZE + 1));
        assertThrows(IllegalArgumentException.class, () -> Mqtt.connectInspector().withMaxPacketSize(0));
        assertEquals(MqttConnectParser.MAX_PACKET_SIZE, new MqttConnectParser(MqttConnectParser.MAX_PACKET_SIZE)
                .maxPacketSize());
    }
}
