package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.EventLog;
import lb.mqtt.Mqtt;

/**
 * Eclipse Paho (MQTT 3.1.1) through the balancer to a real embedded broker (Moquette): the
 * balancer must carry every MQTT flow unchanged, and stop what the broker should never see.
 *
 * <p>Three frontends lead to the same broker: {@code mqtt} (defaults, MQTT health check),
 * {@code impatient} (a short client timeout) and {@code cuttable} (its own backend, which a test
 * may empty to end its tunnels, and the will asked for when the balancer ends one).
 */
@Timeout(60)
class RealBrokerIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(4);
    private static final byte[] CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};

    private static EmbeddedMoquette moquette;

    private final EventLog events = new EventLog();
    private final List<MqttClient> clients = new ArrayList<>();
    private LoadBalancer lb;

    @BeforeAll
    static void startBroker() throws Exception {
        moquette = EmbeddedMoquette.start();
    }

    @AfterAll
    static void stopBroker() {
        moquette.close();
    }

    @BeforeEach
    void startBalancer() {
        InetSocketAddress anyPort = new InetSocketAddress("127.0.0.1", 0);
        lb = LoadBalancer.builder()
                .eventLoops(2)
                .listener(events)
                .backend("broker", backend -> backend
                        .server("moquette", moquette.address())
                        .healthCheck(Mqtt.connectCheck()
                                .interval(Duration.ofMillis(200))
                                .fastInterval(Duration.ofMillis(100))
                                .rise(1)
                                .fall(3)))
                .backend("cuttable", backend -> backend.server("moquette", moquette.address()))
                .frontend("mqtt", frontend -> frontend
                        .listen(anyPort)
                        .keyExtractor(Mqtt.connectInspector())
                        .backend("broker"))
                .frontend("impatient", frontend -> frontend
                        .listen(anyPort)
                        .clientTimeout(CLIENT_TIMEOUT)
                        .keyExtractor(Mqtt.connectInspector())
                        .backend("broker"))
                .frontend("cuttable", frontend -> frontend
                        .listen(anyPort)
                        // asks the broker for the will when the balancer ends a tunnel (by default it says DISCONNECT)
                        .keyExtractor(Mqtt.connectInspector().withWillOnBalancerEnd(true))
                        .backend("cuttable"))
                .build()
                .start();
    }

    @AfterEach
    void stopBalancer() throws Exception {
        for (MqttClient client : clients) {
            if (client.isConnected()) {
                // Politely, once in-flight acknowledgements are done: cutting the client's
                // threads under an arriving PUBACK makes it fail in its own receiver thread.
                client.disconnect(1_000);
            }
            client.close(true);
        }
        if (lb != null) {
            lb.close();
        }
    }

    @Test
    void messagesAtQos0And1And2PassThroughAtTheQosTheyWereSentWith() throws Exception {
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = connected("mqtt", "qos-sub", options -> { });
        subscriber.subscribe("qos/+", 2, collectInto(received));
        MqttClient publisher = connected("mqtt", "qos-pub", options -> { });
        for (int qos = 0; qos <= 2; qos++) {
            // Returns once the PUBACK (QoS 1) or PUBREC/PUBREL/PUBCOMP (QoS 2) flow has completed.
            publisher.publish("qos/" + qos, utf8("sent at QoS " + qos), qos, false);
        }
        publisher.publish("qos/end", utf8("last"), 2, false);

        Map<String, Received> byTopic = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            Received message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(message, "message " + i);
            byTopic.put(message.topic(), message);
        }
        assertEquals(4, byTopic.size(), "each message once: " + byTopic.keySet());
        for (int qos = 0; qos <= 2; qos++) {
            Received message = byTopic.get("qos/" + qos);
            assertEquals("sent at QoS " + qos, message.payload());
            assertEquals(qos, message.qos());
        }
    }

    @Test
    void aRetainedMessageReachesASubscriberThatComesLater() throws Exception {
        MqttClient publisher = connected("mqtt", "retain-pub", options -> { });
        publisher.publish("retained/lamp", utf8("on"), 1, true);
        publisher.disconnect();

        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        MqttClient latecomer = connected("mqtt", "retain-late", options -> { });
        latecomer.subscribe("retained/+", 1, collectInto(received));
        Received message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(message);
        // Only topic, payload and QoS: this broker version sends retained messages to a new
        // subscriber with the RETAIN flag clear, with or without the balancer in between.
        assertEquals("retained/lamp", message.topic());
        assertEquals("on", message.payload());
        assertEquals(1, message.qos());

        latecomer.publish("retained/lamp", new byte[0], 1, true); // clears it for later tests
    }

    @Test
    void theWillIsPublishedWhenTheBalancerEndsTheClientsTunnelWithTheWillSettingOn() throws Exception {
        BlockingQueue<Received> wills = new LinkedBlockingQueue<>();
        MqttClient watcher = connected("mqtt", "will-watcher", options -> { });
        watcher.subscribe("wills/#", 1, collectInto(wills));
        CountDownLatch lost = new CountDownLatch(1);
        MqttClient device = client("cuttable", "will-cut");
        device.setCallback(onConnectionLost(lost));
        device.connect(options(o -> o.setWill("wills/will-cut", utf8("gone"), 1, false)));

        // An operator takes the server out with no drain period: its tunnels end at once, and the
        // broker is not told the client left normally (CleanEndIT shows the default, no will).
        lb.backend("cuttable").removeServer("moquette", Duration.ZERO).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertTrue(lost.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the device saw its connection end");
        assertEquals(new Received("wills/will-cut", "gone", 1, false), wills.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(Termination.SERVER_REMOVED, eventOf("will-cut").termination());
    }

    @Test
    void theWillIsPublishedForAClientThatVanishesButNotForOneThatSaysGoodbye() throws Exception {
        BlockingQueue<Received> wills = new LinkedBlockingQueue<>();
        MqttClient watcher = connected("mqtt", "vanish-watcher", options -> { });
        watcher.subscribe("vanished/#", 1, collectInto(wills));

        MqttClient polite = connected("mqtt", "polite", o -> o.setWill("vanished/polite", utf8("gone"), 1, false));
        polite.disconnect(); // DISCONNECT first: the broker must discard the will
        MqttClient device = connected("mqtt", "vanisher", o -> o.setWill("vanished/vanisher", utf8("gone"), 1, false));
        device.disconnectForcibly(0, 1_000, false); // the socket closes with no DISCONNECT

        assertEquals(new Received("vanished/vanisher", "gone", 1, false), wills.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(wills.isEmpty(), "no will for the client that said goodbye: " + wills);
        assertEquals(Termination.CLIENT_CLOSED, eventOf("vanisher").termination());
    }

    @Test
    void keepAlivePingsHoldAnIdleTunnelOpenPastTheClientTimeout() throws Exception {
        // Keep-alive 2 s against a 4 s client timeout, idle for 6 s: only the pings keep it open.
        BlockingQueue<Received> echoes = new LinkedBlockingQueue<>();
        CountDownLatch lost = new CountDownLatch(1);
        MqttClient pinger = client("impatient", "ka-pinger");
        pinger.setCallback(onConnectionLost(lost));
        pinger.connect(options(o -> o.setKeepAliveInterval(2)));
        pinger.subscribe("keepalive/echo", 1, collectInto(echoes));
        long idleFrom = System.nanoTime();

        // The control: a client announcing no keep-alive (so the broker never times it out) and
        // then silent is closed by the balancer after the client timeout.
        try (RawMqtt silent = RawMqtt.connectTo(address("impatient"))) {
            silent.send(RawMqtt.connect("ka-silent", RawMqtt.CLEAN_SESSION, 0));
            assertArrayEquals(CONNACK_ACCEPTED, silent.read(4));
            assertEquals(0, silent.bytesBeforeClose(CLIENT_TIMEOUT.plus(WAIT)));
        }
        assertEquals(Termination.CLIENT_TIMEOUT, eventOf("ka-silent").termination());

        long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleFrom);
        Thread.sleep(Math.max(0, 6_000 - idleMillis));

        assertEquals(1, lost.getCount(), "the pinging client never lost its connection");
        assertTrue(pinger.isConnected());
        assertEquals(0, events.size(), "its tunnel never closed");
        pinger.publish("keepalive/echo", utf8("still here"), 1, false);
        assertEquals(new Received("keepalive/echo", "still here", 1, false), echoes.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aConnectWithAReservedFlagSetIsClosedAtTheBalancerAndNeverReachesTheBroker() throws Exception {
        Server moquetteServer = lb.backend("broker").server("moquette");
        long tunnelsBefore = moquetteServer.totalConnections();
        try (RawMqtt raw = RawMqtt.connectTo(address("mqtt"))) {
            raw.send(RawMqtt.connect("reserved-bit", RawMqtt.CLEAN_SESSION_AND_RESERVED_BIT, 60));
            assertEquals(0, raw.bytesBeforeClose(WAIT), "closed without a CONNACK");
        }
        TunnelEvent event = events.next(WAIT);
        assertEquals(Termination.INSPECT_REJECTED, event.termination());
        assertTrue(event.detail().contains("MQTT-3.1.2-3"), event.detail());
        assertNull(event.server());
        assertEquals(tunnelsBefore, moquetteServer.totalConnections(), "no connection was opened to the broker");
        assertFalse(moquette.connectedClientIds().contains("reserved-bit"));
    }

    @Test
    void aClientIdThatIsNotWellFormedUtf8IsStoppedAtTheBalancerThoughTheBrokerWouldTakeIt() throws Exception {
        // "id" then an overlong encoding of U+0000, which [MQTT-1.5.3-1] makes a malformed packet.
        byte[] connect = RawMqtt.connect(new byte[] {'i', 'd', (byte) 0xC0, (byte) 0x80}, RawMqtt.CLEAN_SESSION, 60);
        try (RawMqtt direct = RawMqtt.connectTo(moquette.address())) {
            direct.send(connect);
            assertArrayEquals(CONNACK_ACCEPTED, direct.read(4), "the broker alone accepts it");
        }
        Server moquetteServer = lb.backend("broker").server("moquette");
        long tunnelsBefore = moquetteServer.totalConnections();
        try (RawMqtt raw = RawMqtt.connectTo(address("mqtt"))) {
            raw.send(connect);
            assertEquals(0, raw.bytesBeforeClose(WAIT), "closed without a CONNACK");
        }
        assertEquals(Termination.INSPECT_REJECTED, events.next(WAIT).termination());
        assertEquals(tunnelsBefore, moquetteServer.totalConnections(), "no connection was opened to the broker");
    }

    @Test
    void aConnectArrivingOneByteAtATimeIsForwardedWhole() throws Exception {
        try (RawMqtt raw = RawMqtt.connectTo(address("mqtt"))) {
            raw.sendBytewise(RawMqtt.connect("bytewise", RawMqtt.CLEAN_SESSION, 60), Duration.ofMillis(2));
            assertArrayEquals(CONNACK_ACCEPTED, raw.read(4));
        }
        Await.until("the broker to record the CONNECT", WAIT, () -> moquette.connectedClientIds().contains("bytewise"));
        assertEquals("bytewise", events.next(WAIT).key());
    }

    @Test
    void theMqttHealthCheckPassesAgainstTheRealBroker() {
        Server moquetteServer = lb.backend("broker").server("moquette");
        long downsBefore = moquetteServer.downTransitions();
        lb.backend("broker").forceHealth(moquetteServer, false, "forced down to watch it recover");
        Await.until("the forced down state", WAIT, () -> moquetteServer.downTransitions() > downsBefore);
        Await.until("a passing MQTT check to bring it up", WAIT, moquetteServer::isUp);
        assertTrue(moquette.connectedClientIds().stream().anyMatch(id -> id.startsWith("lb-check-")),
                "the check's CONNECT was accepted: " + moquette.connectedClientIds());
    }

    /** A message as a subscriber saw it. */
    private record Received(String topic, String payload, int qos, boolean retained) {
    }

    private static IMqttMessageListener collectInto(BlockingQueue<Received> queue) {
        return (topic, message) -> queue.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8),
                message.getQos(), message.isRetained()));
    }

    private static MqttCallback onConnectionLost(CountDownLatch lost) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    private MqttClient client(String frontend, String clientId) throws Exception {
        InetSocketAddress at = address(frontend);
        MqttClient client = new MqttClient("tcp://" + at.getHostString() + ":" + at.getPort(), clientId,
                new MemoryPersistence());
        clients.add(client);
        return client;
    }

    private MqttClient connected(String frontend, String clientId, Consumer<MqttConnectOptions> settings) throws Exception {
        MqttClient client = client(frontend, clientId);
        client.connect(options(settings));
        return client;
    }

    private static MqttConnectOptions options(Consumer<MqttConnectOptions> settings) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        options.setAutomaticReconnect(false);
        settings.accept(options);
        return options;
    }

    private InetSocketAddress address(String frontend) {
        return lb.frontend(frontend).boundAddresses().get(0);
    }

    /** The event of the tunnel keyed {@code clientId}, skipping others (they finish in any order). */
    private TunnelEvent eventOf(String clientId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            TunnelEvent event = events.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (clientId.equals(event.key())) {
                return event;
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
