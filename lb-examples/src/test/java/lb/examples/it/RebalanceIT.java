package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.config.Rebalance;
import lb.core.stats.RebalanceStats;
import lb.core.testing.Await;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * Scale-out: three brokers hold every client, a fourth is added, and a rebalance moves clients
 * to it at a pace, asked for or (with {@code rebalanceOnAdd}) by itself once the new broker
 * answers its health checks. Each moved MQTT 5 client hears DISCONNECT "use another server"
 * (0x9C), reconnects with the same client id through the balancer, and lands on the new broker
 * (its stick entry was re-pointed); no client is lost.
 */
@Timeout(60)
class RebalanceIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CLIENTS = 48;

    @Test
    void movedClientsHearUseAnotherServerAndReconnectToTheNewBroker() throws Exception {
        scaleOut(false);
    }

    @Test
    void theBackendRebalancesByItselfOnceTheAddedBrokerAnswersItsChecks() throws Exception {
        scaleOut(true);
    }

    private static void scaleOut(boolean automatic) throws Exception {
        List<FakeBroker> brokers = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            brokers.add(new FakeBroker(name).start());
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        Map<String, Integer> reasons = new ConcurrentHashMap<>();
        List<MqttClient> clients = new ArrayList<>();
        try (LoadBalancer lb = LoadBalancer.builder()
                .eventLoops(2)
                .backend("brokers", b -> {
                    b.server("a", brokers.get(0).address()).server("b", brokers.get(1).address())
                            .server("c", brokers.get(2).address())
                            .stickTable(Mqtt.clientIdStickTable(10_000, Duration.ofMinutes(10)));
                    if (automatic) {
                        b.healthCheck(Mqtt.connectCheck().interval(Duration.ofMillis(200)).rise(2).fall(1))
                                .rebalanceOnAdd(Rebalance.of(0.1, 40));
                    }
                })
                .frontend("mqtt", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                        .keyExtractor(Mqtt.connectInspector())
                        .backend("brokers"))
                .build().start()) {
            int port = lb.frontend("mqtt").boundAddresses().get(0).getPort();
            for (int i = 0; i < CLIENTS; i++) {
                MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "device-" + i, new MemoryPersistence());
                c.setCallback(reconnecting(c, reasons, pool));
                clients.add(c);
            }
            List<Future<?>> connects = new ArrayList<>();
            for (MqttClient c : clients) {
                connects.add(pool.submit(() -> {
                    c.connect(options());
                    return null;
                }));
            }
            for (Future<?> f : connects) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            RebalanceStats done;
            if (automatic) {
                brokers.get(3).refuseConnects(true); // not ready yet: its checks fail
                lb.backend("brokers").addServer("d", brokers.get(3).address(), o -> { });
                Await.until("d down by its checks", WAIT, () -> !lb.backend("brokers").server("d").isUp());
                Thread.sleep(600); // three check intervals
                assertEquals(null, lb.stats().backend("brokers").rebalance(), "nothing moves before d is ready");
                brokers.get(3).refuseConnects(false);
                Await.until("the rebalance over", WAIT, () -> lb.stats().backend("brokers").rebalance() != null
                        && !lb.stats().backend("brokers").rebalance().running());
                done = lb.stats().backend("brokers").rebalance();
                assertEquals("added: d", done.cause());
            } else {
                lb.backend("brokers").addServer("d", brokers.get(3).address(), o -> { });
                done = lb.backend("brokers").rebalance(Rebalance.of(0.1, 40)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(CLIENTS / 4, done.planned(), "a quarter of the clients move to the new broker");
            assertEquals(done.planned(), done.moved());
            Await.until("every moved client back", WAIT, () -> held(lb, brokers.get(3), automatic) == CLIENTS / 4);
            Await.until("every client connected", WAIT, () -> clients.stream().allMatch(MqttClient::isConnected));
            assertEquals(CLIENTS / 4, reasons.size(), "each moved client was told once: " + reasons);
            assertTrue(reasons.values().stream().allMatch(code -> code == 0x9C), "use another server: " + reasons);
            for (String moved : reasons.keySet()) {
                assertTrue(brokers.get(3).servedClientIds().contains(moved), moved + " landed on the new broker");
            }
            int total = 0;
            for (FakeBroker broker : brokers) {
                int held = held(lb, broker, automatic);
                total += held;
                assertTrue(Math.abs(held - CLIENTS / 4) <= 1, broker.name() + " holds " + held);
            }
            assertEquals(CLIENTS, total, "none lost");
        } finally {
            for (MqttClient c : clients) {
                try {
                    c.disconnectForcibly(0, 1_000, false);
                } catch (MqttException e) {
                    // not connected
                }
                c.close(true);
            }
            pool.shutdownNow();
            for (FakeBroker broker : brokers) {
                broker.close();
            }
        }
    }

    /**
     * The clients a broker holds: as it counts them, or, while health checks come and go on its
     * own count, as the balancer does (tunnels only).
     */
    private static int held(LoadBalancer lb, FakeBroker broker, boolean checked) {
        return checked ? lb.backend("brokers").server(broker.name()).connections() : broker.openConnections();
    }

    private static MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        o.setCleanStart(true);
        return o;
    }

    /** Records why the server disconnected the client and connects it again (off Paho's thread). */
    private static MqttCallback reconnecting(MqttClient client, Map<String, Integer> reasons, ExecutorService pool) {
        return new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                reasons.put(client.getClientId(), response.getReturnCode());
                pool.submit(() -> {
                    client.connect(options());
                    return null;
                });
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
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
        };
    }
}
