package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.config.Pacing;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.EventLog;
import lb.examples.broker.FakeBroker;
import lb.mqtt.ConnectInspector;
import lb.mqtt.Mqtt;

/**
 * When the balancer ends tunnels itself (a server removed, a shutdown), clients with a will are
 * told goodbye the MQTT way: the broker hears a normal DISCONNECT in the client's name, so no
 * will is published; a 5.0 client hears why (0x9C use another server, 0x8B server shutting
 * down). MQTT 3.1.1 runs against a real broker (Moquette, which speaks 3.1.1 only); 5.0 against
 * the fake broker, which publishes wills as a broker must.
 */
@Timeout(60)
class CleanEndIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** How long a will subscriber listens for a will that must not come. */
    private static final Duration QUIET = Duration.ofMillis(1_000);
    private static final int CLIENTS = 20;
    private static final int PER_SECOND = 40;

    private static EmbeddedMoquette moquette;

    @BeforeAll
    static void startBroker() throws Exception {
        moquette = EmbeddedMoquette.start();
    }

    @AfterAll
    static void stopBroker() {
        moquette.close();
    }

    @Test
    void aPacedRemovalEnds311ClientsWithoutTheirWillsAndTheyReconnectToTheOtherServer() throws Exception {
        EventLog events = new EventLog();
        BlockingQueue<String> wills = new LinkedBlockingQueue<>();
        MqttClient watcher = v3(moquette.address(), "removal-watcher");
        watcher.connect(v3Options());
        watcher.subscribe("wills/removal/#", 1, (topic, message) -> wills.add(topic));
        try (LoadBalancer lb = balancer(events, moquette.address(), Mqtt.connectInspector())) {
            CountDownLatch lost = new CountDownLatch(CLIENTS);
            List<MqttClient> devices = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                MqttClient device = v3(frontend(lb), "removal-" + i);
                device.setCallback(onLost(lost));
                devices.add(device);
            }
            connectAll(devices, i -> {
                MqttConnectOptions o = v3Options();
                o.setWill("wills/removal/" + i, "gone".getBytes(StandardCharsets.UTF_8), 1, false);
                return o;
            });
            // a second way to the same broker joins, then the first is taken out at a pace
            lb.backend("brokers").addServer("m2", moquette.address(), o -> { });
            long start = System.nanoTime();
            lb.backend("brokers").removeServer("m1", Pacing.of(PER_SECOND, Duration.ofSeconds(20))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertTrue(lost.await(WAIT.toSeconds(), TimeUnit.SECONDS), "every device saw its connection end");
            assertEquals(null, wills.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS), "the broker published no will");
            List<TunnelEvent> ended = events.take(CLIENTS, WAIT);
            long[] ends = ended.stream().mapToLong(e -> e.acceptedAtEpochMillis() + e.totalNs() / 1_000_000).sorted().toArray();
            for (TunnelEvent e : ended) {
                assertEquals(Termination.SERVER_REMOVED, e.termination());
            }
            // the ends are begun at the pace; each closes when its peers have (a few ms each, varying)
            assertTrue(ends[CLIENTS - 1] - ends[0] >= (CLIENTS - 1) * 1000L / PER_SECOND * 3 / 4,
                    "paced at " + PER_SECOND + "/s: first to last " + (ends[CLIENTS - 1] - ends[0]) + " ms");
            assertTrue(tookMs < 10_000, "removal done in " + tookMs + " ms");

            connectAll(devices, i -> v3Options());
            assertEquals(CLIENTS, lb.backend("brokers").server("m2").connections(), "all reconnected to the other");
            for (MqttClient device : devices) {
                device.disconnectForcibly(0, 1_000, false);
                device.close();
            }
        } finally {
            watcher.disconnect();
            watcher.close();
        }
    }

    @Test
    void aPacedShutdownEnds311ClientsWithoutTheirWills() throws Exception {
        BlockingQueue<String> wills = new LinkedBlockingQueue<>();
        MqttClient watcher = v3(moquette.address(), "shutdown-watcher");
        watcher.connect(v3Options());
        watcher.subscribe("wills/shutdown/#", 1, (topic, message) -> wills.add(topic));
        EventLog events = new EventLog();
        LoadBalancer lb = balancer(events, moquette.address(), Mqtt.connectInspector());
        CountDownLatch lost = new CountDownLatch(3);
        List<MqttClient> devices = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MqttClient device = v3(frontend(lb), "shutdown-" + i);
            device.setCallback(onLost(lost));
            devices.add(device);
        }
        connectAll(devices, i -> {
            MqttConnectOptions o = v3Options();
            o.setWill("wills/shutdown/" + i, "gone".getBytes(StandardCharsets.UTF_8), 1, false);
            return o;
        });
        lb.shutdown(Pacing.over(Duration.ofMillis(300)));
        assertTrue(lost.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(null, wills.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS), "the broker published no will");
        for (TunnelEvent e : events.take(3, WAIT)) {
            assertEquals(Termination.SHUTDOWN, e.termination());
        }
        for (MqttClient device : devices) {
            device.close(true);
        }
        watcher.disconnect();
        watcher.close();
    }

    @Test
    void mqtt5ClientsHearUseAnotherServerOrShuttingDownAndNoWillIsPublished() throws Exception {
        try (FakeBroker broker = new FakeBroker("fake-5").start()) {
            BlockingQueue<String> wills = new LinkedBlockingQueue<>();
            MqttClient watcher = v3(broker.address(), "v5-watcher");
            watcher.connect(v3Options());
            watcher.subscribe("wills/v5/#", 1, (topic, message) -> wills.add(topic));

            LoadBalancer lb = balancer(new EventLog(), broker.address(), Mqtt.connectInspector());
            Reasons removed = new Reasons();
            List<org.eclipse.paho.mqttv5.client.MqttClient> first = v5Clients(lb, "removed", 3, removed);
            lb.backend("brokers").addServer("m2", broker.address(), o -> { });
            lb.backend("brokers").removeServer("m1", Duration.ZERO).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(List.of(0x9C, 0x9C, 0x9C), removed.await(3));

            Reasons shutDown = new Reasons();
            List<org.eclipse.paho.mqttv5.client.MqttClient> second = v5Clients(lb, "shut", 2, shutDown);
            lb.shutdown(Pacing.over(Duration.ofMillis(200)));
            assertEquals(List.of(0x8B, 0x8B), shutDown.await(2));

            assertEquals(null, wills.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS), "no will published");
            assertEquals(0, broker.willsPublished());
            for (org.eclipse.paho.mqttv5.client.MqttClient c : first) {
                c.close(true);
            }
            for (org.eclipse.paho.mqttv5.client.MqttClient c : second) {
                c.close(true);
            }
            watcher.disconnect();
            watcher.close();
        }
    }

    @Test
    void withTheWillSettingTheBrokerPublishesTheWillOfA5Client() throws Exception {
        try (FakeBroker broker = new FakeBroker("fake-will").start()) {
            BlockingQueue<String> wills = new LinkedBlockingQueue<>();
            MqttClient watcher = v3(broker.address(), "will-watcher");
            watcher.connect(v3Options());
            watcher.subscribe("wills/v5/#", 1, (topic, message) -> wills.add(topic));
            try (LoadBalancer lb = balancer(new EventLog(), broker.address(),
                    Mqtt.connectInspector().withWillOnBalancerEnd(true))) {
                Reasons reasons = new Reasons();
                List<org.eclipse.paho.mqttv5.client.MqttClient> clients = v5Clients(lb, "willing", 1, reasons);
                lb.backend("brokers").removeServer("m1", Duration.ZERO).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(List.of(0x9C), reasons.await(1));
                assertEquals("wills/v5/willing-0", wills.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(1, broker.willsPublished());
                clients.get(0).close(true);
            } finally {
                watcher.disconnect();
                watcher.close();
            }
        }
    }

    /** The reason codes of the DISCONNECTs clients received, as they arrive. */
    private static final class Reasons {
        private final BlockingQueue<Integer> codes = new LinkedBlockingQueue<>();

        List<Integer> await(int count) throws InterruptedException {
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Integer code = codes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (code == null) {
                    break;
                }
                got.add(code);
            }
            return got;
        }
    }

    private static List<org.eclipse.paho.mqttv5.client.MqttClient> v5Clients(LoadBalancer lb, String prefix, int n,
                                                                               Reasons reasons) throws MqttException {
        List<org.eclipse.paho.mqttv5.client.MqttClient> clients = new ArrayList<>();
        InetSocketAddress at = frontend(lb);
        for (int i = 0; i < n; i++) {
            var client = new org.eclipse.paho.mqttv5.client.MqttClient("tcp://127.0.0.1:" + at.getPort(), prefix + "-" + i,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse response) {
                    reasons.codes.add(response.getReturnCode());
                }

                @Override
                public void mqttErrorOccurred(MqttException exception) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {
                }
            });
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setConnectionTimeout(5);
            o.setAutomaticReconnect(false);
            o.setWill("wills/v5/" + prefix + "-" + i,
                    new org.eclipse.paho.mqttv5.common.MqttMessage("gone".getBytes(StandardCharsets.UTF_8), 1, false, null));
            client.connect(o);
            clients.add(client);
        }
        return clients;
    }

    /** Connects every client at once: a connect to the broker takes a few hundred ms, mostly waiting. */
    private static void connectAll(List<MqttClient> clients, java.util.function.IntFunction<MqttConnectOptions> options)
            throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients.size());
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                MqttClient c = clients.get(i);
                MqttConnectOptions o = options.apply(i);
                done.add(pool.submit(() -> {
                    c.connect(o);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static LoadBalancer balancer(EventLog events, InetSocketAddress broker, ConnectInspector inspector) {
        return LoadBalancer.builder()
                .eventLoops(2)
                .listener(events)
                .backend("brokers", backend -> backend.server("m1", broker))
                .frontend("mqtt", frontend -> frontend
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .keyExtractor(inspector)
                        .backend("brokers"))
                .build()
                .start();
    }

    private static InetSocketAddress frontend(LoadBalancer lb) {
        return lb.frontend("mqtt").boundAddresses().get(0);
    }

    private static MqttClient v3(InetSocketAddress at, String clientId) throws Exception {
        return new MqttClient("tcp://127.0.0.1:" + at.getPort(), clientId, new MemoryPersistence());
    }

    private static MqttConnectOptions v3Options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setConnectionTimeout(5);
        o.setAutomaticReconnect(false);
        return o;
    }

    private static MqttCallback onLost(CountDownLatch lost) {
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
}
