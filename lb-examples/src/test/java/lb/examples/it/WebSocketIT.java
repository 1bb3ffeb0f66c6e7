package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.balance.LeastConnections;
import lb.core.health.HealthCheck;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.WebSocketBytes;
import lb.core.tls.TlsSettings;
import lb.mqtt.Mqtt;

/**
 * Eclipse Paho (MQTT 3.1.1 over {@code ws://}) through the balancer to the WebSocket listeners of
 * two real brokers (Moquette): the balancer answers the upgrade, routes by the client id in the
 * CONNECT inside the frames, and carries every flow unchanged; hostile upgrades never reach a
 * broker; the same over {@code wss://} (TLS terminated by the balancer). Which broker served a connection is read from the tunnel events and cross-checked
 * with the client ids each broker accepted.
 */
@Timeout(120)
class WebSocketIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int RECONNECTS = 20;

    private final Map<String, EmbeddedMoquette> brokers = new LinkedHashMap<>();
    private final EventLog events = new EventLog();
    private final List<MqttClient> clients = new ArrayList<>();
    private LoadBalancer lb;

    @BeforeEach
    void start() throws Exception {
        for (String name : List.of("a", "b")) {
            brokers.put(name, EmbeddedMoquette.startWithWebSocket());
        }
        TlsSettings tls = TlsSettings.of(TestTls.broker());
        lb = LoadBalancer.builder()
                .eventLoops(2)
                .listener(events)
                .backend("ws-brokers", backend -> {
                    brokers.forEach((name, broker) -> backend.server(name, broker.webSocketAddress()));
                    backend.balancer(LeastConnections::new)
                            .stickTable(Mqtt.clientIdStickTable(1_000, Duration.ofMinutes(5)))
                            .healthCheck(HealthCheck.tcp().interval(Duration.ofMillis(500)).rise(1).fall(3));
                })
                .frontend("ws", frontend -> frontend
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .keyExtractor(Mqtt.overWebSocket(Mqtt.connectInspector().withConnackReplies(true), "/mqtt"))
                        .backend("ws-brokers"))
                .frontend("wss", frontend -> frontend
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .tls(tls)
                        .keyExtractor(Mqtt.overWebSocket(Mqtt.connectInspector(), "/mqtt"))
                        .backend("ws-brokers"))
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient client : clients) {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
            client.close(true);
        }
        if (lb != null) {
            lb.close();
        }
        brokers.values().forEach(EmbeddedMoquette::close);
    }

    private InetSocketAddress balancerAddress() {
        return lb.frontend("ws").boundAddresses().get(0);
    }

    private String uri() {
        return "ws://127.0.0.1:" + balancerAddress().getPort() + "/mqtt";
    }

    private MqttClient connected(String clientId) throws Exception {
        MqttClient client = new MqttClient(uri(), clientId, new MemoryPersistence());
        clients.add(client);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        client.connect(options);
        return client;
    }

    private record Received(String topic, String payload, int qos) {
    }

    @Test
    void messagesAtQos0And1And2ArriveExactlyOnceAtTheQosTheyWereSentWith() throws Exception {
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        MqttClient client = connected("ws-qos");
        // one connection both subscribes and publishes: the brokers do not share messages
        client.subscribe("qos/+", 2, (topic, message) -> received.add(new Received(topic,
                new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos())));
        int perQos = 30;
        for (int i = 0; i < perQos; i++) {
            for (int qos = 0; qos <= 2; qos++) {
                // returns once the PUBACK (QoS 1) or PUBREC/PUBREL/PUBCOMP (QoS 2) flow completed
                client.publish("qos/" + qos, ("message " + i + " at QoS " + qos).getBytes(StandardCharsets.UTF_8), qos, false);
            }
        }
        Set<Received> distinct = new HashSet<>();
        for (int i = 0; i < 3 * perQos; i++) {
            Received message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(message, "message " + i);
            assertEquals("qos/" + message.qos(), message.topic(), "delivered at the QoS it was sent with");
            assertTrue(distinct.add(message), "no duplicate: " + message);
        }
        assertNull(received.poll(500, TimeUnit.MILLISECONDS), "nothing more");
        for (int i = 0; i < perQos; i++) {
            for (int qos = 0; qos <= 2; qos++) {
                assertTrue(distinct.contains(new Received("qos/" + qos, "message " + i + " at QoS " + qos, qos)));
            }
        }
    }

    @Test
    void theSameClientIdLandsOnTheSameBrokerAcrossTwentyReconnects() throws Exception {
        String id = "ws-loyal";
        String home = null;
        try (ReconnectingClient client = new ReconnectingClient.V3(uri(), id)) {
            for (int i = 0; i < RECONNECTS; i++) {
                client.connect();
                client.disconnect();
                TunnelEvent event = eventOf(id);
                home = home == null ? event.server() : home;
                assertEquals(home, event.server(), "reconnect " + i);
                assertTrue(event.bytesFromServer() > 0, "the broker's CONNACK reached the client");
            }
        }
        for (Map.Entry<String, EmbeddedMoquette> broker : brokers.entrySet()) {
            assertEquals(broker.getKey().equals(home), broker.getValue().connectedClientIds().contains(id), broker.getKey());
        }
    }

    @Test
    void differentClientIdsSpreadOverBothBrokers() throws Exception {
        Set<String> servers = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            MqttClient client = connected("ws-spread-" + i);
            servers.add(lb.backend("ws-brokers").stickTable().lookup("ws-spread-" + i, System.nanoTime()));
            assertTrue(client.isConnected());
        }
        assertEquals(brokers.keySet(), servers, "least connections across the two");
    }

    @Test
    void overWssTheSameClientIdStaysOnItsBrokerAndMessagesFlow() throws Exception {
        InetSocketAddress wss = lb.frontend("wss").boundAddresses().get(0);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(5);
        options.setSocketFactory(TestTls.clientContext(null).getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(false);
        MqttClient client = new MqttClient("wss://127.0.0.1:" + wss.getPort() + "/mqtt", "wss-loyal", new MemoryPersistence());
        clients.add(client);
        String home = null;
        for (int i = 0; i < 5; i++) {
            client.connect(options);
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            client.subscribe("wss/echo", 1, (topic, message) -> received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
            client.publish("wss/echo", ("round " + i).getBytes(StandardCharsets.UTF_8), 1, false);
            assertEquals("round " + i, received.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            client.disconnect();
            TunnelEvent event = eventOf("wss-loyal");
            assertNotNull(event.tls(), "the tunnel was TLS");
            home = home == null ? event.server() : home;
            assertEquals(home, event.server(), "reconnect " + i);
        }
    }

    private TunnelEvent eventOf(String clientId) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            TunnelEvent event = events.next(WAIT);
            if (clientId.equals(event.key())) {
                return event;
            }
        }
        throw new AssertionError("no tunnel event for " + clientId);
    }

    private String refused(byte[] request) throws Exception {
        try (Socket s = Clients.connect(balancerAddress())) {
            s.getOutputStream().write(request);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void hostileUpgradesAreRefusedWithAnHttpStatusAndNeverReachABroker() throws Exception {
        String valid = new String(WebSocketBytes.upgrade("/mqtt", "mqtt"), StandardCharsets.ISO_8859_1);
        assertTrue(refused("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()).startsWith("HTTP/1.1 400 "));
        assertTrue(refused(valid.replace("Version: 13", "Version: 7").getBytes()).startsWith("HTTP/1.1 426 "));
        assertTrue(refused(WebSocketBytes.upgrade("/admin", "mqtt")).startsWith("HTTP/1.1 404 "));
        assertTrue(refused(WebSocketBytes.upgrade("/mqtt", "chat")).startsWith("HTTP/1.1 400 "));
        assertTrue(refused(new byte[] {0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T'}).startsWith("HTTP/1.1 400 "),
                "plain MQTT on the WebSocket port");
        try (Socket s = Clients.connect(balancerAddress())) {
            s.getOutputStream().write(WebSocketBytes.upgrade("/mqtt", "mqtt"));
            InputStream in = s.getInputStream();
            assertTrue(WebSocketBytes.readHead(in).startsWith("HTTP/1.1 101 "));
            s.getOutputStream().write(WebSocketBytes.frame(2, true, new byte[] {0x10, 0x00}, null));
            assertEquals(1002, WebSocketBytes.readFrame(in).closeCode(), "an unmasked frame");
        }
        for (TunnelEvent event : events.take(6, WAIT)) {
            assertEquals(Termination.INSPECT_REJECTED, event.termination(), event.detail());
            assertNull(event.server(), "no broker was tried");
        }
        assertEquals(6, lb.stats().frontend("ws").traffic().ends().count(Termination.INSPECT_REJECTED));
        brokers.values().forEach(b -> assertTrue(b.connectedClientIds().isEmpty()));
    }

    @Test
    void aMalformedConnectInsideTheFramesGetsItsConnackInABinaryFrame() throws Exception {
        try (Socket s = Clients.connect(balancerAddress())) {
            s.getOutputStream().write(WebSocketBytes.upgrade("/mqtt", "mqtt"));
            InputStream in = s.getInputStream();
            assertTrue(WebSocketBytes.readHead(in).startsWith("HTTP/1.1 101 "));
            // protocol level 3 under the name MQTT: 3.1.1 answers "unacceptable protocol version"
            byte[] connect = {0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x03, 0x02, 0x00, 0x3c, 0x00, 0x01, 'x'};
            s.getOutputStream().write(WebSocketBytes.binary(connect, new java.util.Random(5)));
            WebSocketBytes.Frame connack = WebSocketBytes.readFrame(in);
            assertEquals(2, connack.opcode());
            assertEquals(0x20, connack.payload()[0] & 0xFF, "a CONNACK");
            assertEquals(8, WebSocketBytes.readFrame(in).opcode(), "then a close frame");
        }
        assertEquals(Termination.INSPECT_REJECTED, events.next(WAIT).termination());
    }
}
