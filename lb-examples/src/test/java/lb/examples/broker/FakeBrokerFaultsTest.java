package lb.examples.broker;

import static lb.examples.broker.RawClient.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FakeBrokerFaultsTest {
    private FakeBroker broker;

    @BeforeEach
    void startBroker() throws IOException {
        broker = new FakeBroker("broker-f").start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void refusedConnectGetsServerUnavailableAndIsClosed() throws IOException {
        broker.refuseConnects(true);
        try (RawClient v4 = new RawClient(broker.address()); RawClient v5 = new RawClient(broker.address())) {
            v4.send(w -> MqttEncoder.connect(w, 4, utf8("r4"), 60, true));
            assertArrayEquals(new byte[] {0, 3}, v4.receive().body());
            assertTrue(v4.isClosedByPeer());
            v5.send(w -> MqttEncoder.connect(w, 5, utf8("r5"), 60, true));
            assertArrayEquals(new byte[] {0, (byte) 0x88, 0}, v5.receive().body());
            assertTrue(v5.isClosedByPeer());
        }
        assertEquals(2, broker.connectsRefused());
        assertTrue(broker.servedClientIds().isEmpty());
        broker.refuseConnects(false);
        try (RawClient accepted = RawClient.connected(broker.address(), 4, "r4")) {
            assertTrue(broker.servedClientIds().contains("r4"));
            accepted.send(MqttEncoder::pingreq);
            assertEquals(PacketType.PINGRESP, accepted.receive().type());
        }
    }

    @Test
    void stalledBrokerAcceptsButAnswersNothingUntilResumed() throws IOException {
        try (RawClient before = RawClient.connected(broker.address(), 4, "before")) {
            broker.stallReads(true);
            before.send(MqttEncoder::pingreq);
            try (RawClient during = new RawClient(broker.address())) {
                during.send(w -> MqttEncoder.connect(w, 4, utf8("during"), 60, true));
                assertTrue(during.isSilentFor(300));
                assertTrue(before.isSilentFor(10));
                broker.stallReads(false);
                assertEquals(PacketType.CONNACK, during.receive().type());
                assertEquals(PacketType.PINGRESP, before.receive().type());
            }
        }
    }

    @Test
    void deadBrokerResetsItsConnectionsAndRefusesNewOnes() throws IOException {
        InetSocketAddress address = broker.address();
        try (RawClient client = RawClient.connected(address, 4, "victim")) {
            broker.die();
            assertFalse(broker.isRunning());
            assertTrue(client.isClosedByPeer());
        }
        assertEquals(0, broker.openConnections());
        assertThrows(ConnectException.class, () -> new RawClient(address).close());
    }

    @Test
    void restartedBrokerServesOnTheSamePortWithNoSubscriptionsLeft() throws IOException {
        InetSocketAddress address = broker.address();
        try (RawClient subscriber = RawClient.connected(address, 4, "s1")) {
            subscriber.subscribe(4, 1, 0, "t");
            broker.restart();
            assertTrue(subscriber.isClosedByPeer());
        }
        assertEquals(address, broker.address());
        try (RawClient subscriber = RawClient.connected(address, 4, "s1");
             RawClient publisher = RawClient.connected(address, 4, "p1")) {
            publisher.publish(4, 0, 0, "t", "after restart");
            assertTrue(subscriber.isSilentFor(150));
        }
        assertTrue(broker.servedClientIds().containsAll(Set.of("s1", "p1")));
        assertEquals(3, broker.connectsAccepted());
    }

    @Test
    void stoppedBrokerCanStartAgainAndStartingTwiceFails() throws IOException {
        assertThrows(IllegalStateException.class, broker::start);
        broker.stop();
        broker.stop();
        broker.start();
        try (RawClient client = RawClient.connected(broker.address(), 5, "again")) {
            assertTrue(broker.isRunning());
            client.send(MqttEncoder::pingreq);
            assertEquals(PacketType.PINGRESP, client.receive().type());
        }
    }
}
