package lb.examples.broker;

import static lb.examples.broker.RawClient.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class FakeBrokerProtocolTest {
    private FakeBroker broker;

    @BeforeEach
    void startBroker() throws IOException {
        broker = new FakeBroker("broker-a").start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void connectAtLevel4IsAcceptedWithTwoByteConnack() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            client.send(w -> MqttEncoder.connect(w, 4, utf8("c1"), 60, true));
            RawClient.Packet connack = client.receive();
            assertEquals(0x20, connack.firstByte());
            assertArrayEquals(new byte[] {0, 0}, connack.body());
        }
    }

    @Test
    void connectAtLevel5IsAcceptedWithEmptyProperties() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            client.send(w -> MqttEncoder.connect(w, 5, utf8("c5"), 60, true));
            assertArrayEquals(new byte[] {0, 0, 0}, client.receive().body());
        }
    }

    @Test
    void connectAtLevel3WithOldProtocolNameIsAccepted() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            client.send(w -> MqttEncoder.connect(w, 3, utf8("old"), 60, true));
            assertArrayEquals(new byte[] {0, 0}, client.receive().body());
        }
    }

    @Test
    void unknownProtocolLevelIsAnsweredUnacceptableAndClosed() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            client.write(new byte[] {0x10, 10, 0, 4, 'M', 'Q', 'T', 'T', 9, 2, 0, 60, 0, 0});
            assertArrayEquals(new byte[] {0, 1}, client.receive().body());
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void emptyClientIdAtLevel5IsAssignedOneInTheConnack() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            client.send(w -> MqttEncoder.connect(w, 5, new byte[0], 60, true));
            byte[] body = client.receive().body();
            assertEquals(0, body[1]);
            assertEquals(0x12, body[3]);
            String assigned = new String(body, 6, body.length - 6, StandardCharsets.UTF_8);
            assertTrue(broker.servedClientIds().contains(assigned), assigned);
        }
    }

    @Test
    void packetBeforeConnectClosesTheConnection() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            client.send(MqttEncoder::pingreq);
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void pingreqIsAnsweredWithPingresp() throws IOException {
        try (RawClient client = RawClient.connected(broker.address(), 4, "pinger")) {
            client.send(MqttEncoder::pingreq);
            RawClient.Packet pong = client.receive();
            assertEquals(PacketType.PINGRESP, pong.type());
            assertEquals(0, pong.body().length);
        }
    }

    @Test
    void subscriptionsWithWildcardsReceiveOnlyMatchingTopics() throws IOException {
        try (RawClient plus = RawClient.connected(broker.address(), 4, "plus");
             RawClient hash = RawClient.connected(broker.address(), 5, "hash");
             RawClient publisher = RawClient.connected(broker.address(), 4, "publisher")) {
            plus.subscribe(4, 1, 0, "a/+/c");
            hash.subscribe(5, 1, 0, "x/#");
            for (String topic : List.of("a/b/c", "a/b/d", "x", "x/y/z", "a/b/c/d", "$SYS/x", "a//c")) {
                publisher.publish(4, 0, 0, topic, "to " + topic);
            }
            publisher.publish(4, 0, 0, "end", "");
            assertEquals(List.of("a/b/c", "a//c"), topics(plus, 2));
            List<RawClient.Packet> hashed = receive(hash, 2);
            assertEquals("x", hashed.get(0).topic());
            assertEquals("to x", hashed.get(0).payload(5));
            assertEquals("x/y/z", hashed.get(1).topic());
            assertTrue(plus.isSilentFor(100));
            assertTrue(hash.isSilentFor(100));
        }
    }

    @Test
    void qos1PublishIsAcknowledgedAndDeliveredAtTheLowerQos() throws IOException {
        try (RawClient atMostOnce = RawClient.connected(broker.address(), 4, "q0");
             RawClient atLeastOnce = RawClient.connected(broker.address(), 5, "q1");
             RawClient publisher = RawClient.connected(broker.address(), 4, "pub")) {
            atMostOnce.subscribe(4, 1, 0, "t");
            atLeastOnce.subscribe(5, 2, 1, "t");
            publisher.publish(4, 1, 77, "t", "hello");
            RawClient.Packet puback = publisher.receive();
            assertEquals(0x40, puback.firstByte());
            assertArrayEquals(new byte[] {0, 77}, puback.body());
            RawClient.Packet q0 = atMostOnce.receive();
            assertEquals(0, q0.qos());
            assertEquals("hello", q0.payload(4));
            RawClient.Packet q1 = atLeastOnce.receive();
            assertEquals(1, q1.qos());
            assertEquals("hello", q1.payload(5));
            assertTrue(q1.publishPacketId() > 0);
            atLeastOnce.send(w -> MqttEncoder.puback(w, q1.publishPacketId()));
        }
    }

    @Test
    void requestedQos2IsGrantedQos1() throws IOException {
        try (RawClient client = RawClient.connected(broker.address(), 4, "q2")) {
            client.send(w -> MqttEncoder.subscribe(w, 4, 9, new byte[][] {utf8("a"), utf8("b/#/c")}, 2));
            RawClient.Packet suback = client.receive();
            assertArrayEquals(new byte[] {0, 9, 1, (byte) 0x80}, suback.body());
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOneCopyAtTheHighestQos() throws IOException {
        try (RawClient subscriber = RawClient.connected(broker.address(), 4, "overlap");
             RawClient publisher = RawClient.connected(broker.address(), 4, "pub")) {
            subscriber.subscribe(4, 1, 0, "s/#");
            subscriber.subscribe(4, 2, 1, "s/+");
            publisher.publish(4, 1, 5, "s/1", "once");
            RawClient.Packet copy = subscriber.receive();
            assertEquals(1, copy.qos());
            assertTrue(subscriber.isSilentFor(100));
        }
    }

    @Test
    void unsubscribeStopsDeliveryAndIsAcknowledgedPerLevel() throws IOException {
        try (RawClient v4 = RawClient.connected(broker.address(), 4, "u4");
             RawClient v5 = RawClient.connected(broker.address(), 5, "u5");
             RawClient publisher = RawClient.connected(broker.address(), 4, "pub")) {
            v4.subscribe(4, 1, 0, "u");
            v5.subscribe(5, 1, 0, "u");
            v4.send(w -> MqttEncoder.unsubscribe(w, 4, 3, new byte[][] {utf8("u")}));
            assertArrayEquals(new byte[] {0, 3}, v4.receive().body());
            v5.send(w -> MqttEncoder.unsubscribe(w, 5, 4, new byte[][] {utf8("u"), utf8("never")}));
            RawClient.Packet unsuback = v5.receive();
            assertEquals(0xB0, unsuback.firstByte());
            assertArrayEquals(new byte[] {0, 4, 0, 0, 0x11}, unsuback.body());
            publisher.publish(4, 0, 0, "u", "nobody");
            assertTrue(v4.isSilentFor(150));
            assertTrue(v5.isSilentFor(10));
        }
    }

    @Test
    void packetsSplitIntoSingleBytesAreReassembled() throws Exception {
        try (RawClient client = new RawClient(broker.address())) {
            PacketWriter w = new PacketWriter();
            MqttEncoder.connect(w, 4, utf8("split"), 60, true);
            MqttEncoder.pingreq(w);
            for (byte b : w.toByteArray()) {
                client.write(new byte[] {b});
                Thread.sleep(1);
            }
            assertEquals(PacketType.CONNACK, client.receive().type());
            assertEquals(PacketType.PINGRESP, client.receive().type());
        }
    }

    @Test
    void manyPacketsInOneWriteAreAllAnsweredInOrder() throws IOException {
        try (RawClient client = new RawClient(broker.address())) {
            PacketWriter w = new PacketWriter();
            MqttEncoder.connect(w, 4, utf8("joined"), 60, true);
            MqttEncoder.subscribe(w, 4, 1, new byte[][] {utf8("self")}, 1);
            byte[] payload = new byte[100_000];
            MqttEncoder.publish(w, 4, 1, 2, utf8("self"), payload, 0, payload.length);
            MqttEncoder.pingreq(w);
            client.write(w.toByteArray());
            List<Integer> types = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                types.add(client.receive().type());
            }
            assertTrue(types.containsAll(List.of(PacketType.CONNACK, PacketType.SUBACK, PacketType.PUBACK,
                    PacketType.PUBLISH)), types.toString());
            assertEquals(PacketType.PINGRESP, client.receive().type());
        }
    }

    @Test
    void largePayloadIsDeliveredIntact() throws IOException {
        try (RawClient subscriber = RawClient.connected(broker.address(), 5, "big-sub");
             RawClient publisher = RawClient.connected(broker.address(), 5, "big-pub")) {
            subscriber.subscribe(5, 1, 0, "big");
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (int i = 0; text.size() < 300_000; i++) {
                text.writeBytes(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String payload = text.toString(StandardCharsets.UTF_8);
            publisher.publish(5, 0, 0, "big", payload);
            assertEquals(payload, subscriber.receive().payload(5));
        }
    }

    @Test
    void servedClientIdsAndOpenConnectionsAreReported() throws Exception {
        try (RawClient a = RawClient.connected(broker.address(), 4, "id-a");
             RawClient b = RawClient.connected(broker.address(), 5, "id-b")) {
            assertEquals(Set.of("id-a", "id-b"), broker.servedClientIds());
            assertEquals(2, broker.openConnections());
            assertEquals(2, broker.connectsAccepted());
            a.send(MqttEncoder::disconnect);
            assertTrue(a.isClosedByPeer());
            awaitOpenConnections(1);
            b.send(MqttEncoder::disconnect);
            assertTrue(b.isClosedByPeer());
        }
        awaitOpenConnections(0);
    }

    @Test
    void secondConnectionWithTheSameClientIdTakesOver() throws Exception {
        try (RawClient first = RawClient.connected(broker.address(), 4, "same");
             RawClient second = RawClient.connected(broker.address(), 4, "same")) {
            assertTrue(first.isClosedByPeer());
            second.send(MqttEncoder::pingreq);
            assertEquals(PacketType.PINGRESP, second.receive().type());
        }
    }

    @Test
    void publishesCrossLoopsToEverySubscriber() throws IOException {
        List<RawClient> subscribers = new ArrayList<>();
        try (RawClient publisher = RawClient.connected(broker.address(), 4, "fan-pub")) {
            for (int i = 0; i < 5; i++) {
                RawClient s = RawClient.connected(broker.address(), 4, "fan-" + i);
                subscribers.add(s);
                s.subscribe(4, 1, 1, "fan/+");
            }
            for (int m = 0; m < 20; m++) {
                publisher.publish(4, 1, m + 1, "fan/" + m, "m" + m);
            }
            for (RawClient s : subscribers) {
                for (int m = 0; m < 20; m++) {
                    assertEquals("m" + m, s.receive().payload(4));
                }
            }
            assertEquals(100, broker.messagesDelivered());
        } finally {
            for (RawClient s : subscribers) {
                s.close();
            }
        }
    }

    private void awaitOpenConnections(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (broker.openConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, broker.openConnections());
    }

    private static List<RawClient.Packet> receive(RawClient client, int count) throws IOException {
        List<RawClient.Packet> packets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            packets.add(client.receive());
        }
        return packets;
    }

    private static List<String> topics(RawClient client, int count) throws IOException {
        List<String> topics = new ArrayList<>();
        for (RawClient.Packet p : receive(client, count)) {
            topics.add(p.topic());
        }
        return topics;
    }
}
