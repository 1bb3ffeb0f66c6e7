package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import lb.core.LoadBalancer;
import lb.core.balance.LeastConnections;
import lb.core.health.HealthCheck;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.EventLog;
import lb.examples.broker.FakeBroker;
import lb.examples.it.ReconnectingClient.Version;
import lb.mqtt.Mqtt;

/**
 * Real MQTT clients (Eclipse Paho, MQTT 3.1.1 and 5.0) through the balancer to three in-process
 * brokers, routed by client id through a stick table, with least connections for new ids and
 * MQTT health checks. Which broker served a connection is read from the balancer's tunnel
 * events and cross-checked with the client ids each broker says it served.
 */
@Timeout(60)
class StickinessIT {
    private static final int RECONNECTS = 20;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Map<String, FakeBroker> brokers = new LinkedHashMap<>();
    private final EventLog events = new EventLog();
    private LoadBalancer lb;

    @BeforeEach
    void startBrokers() throws IOException {
        for (String name : List.of("a", "b", "c")) {
            brokers.put(name, new FakeBroker("broker-" + name).start());
        }
    }

    @AfterEach
    void stopEverything() {
        if (lb != null) {
            lb.close();
        }
        brokers.values().forEach(FakeBroker::stop);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Version.class)
    void theSameClientIdLandsOnTheSameBrokerAcrossTwentyReconnects(Version version) throws Exception {
        startBalancer(fastMqttCheck());
        String id = clientId("loyal", version);
        try (ReconnectingClient client = version.client(balancerAddress(), id)) {
            String home = visit(client).server();
            for (int i = 1; i < RECONNECTS; i++) {
                assertEquals(home, visit(client).server(), "reconnect " + i);
            }
            assertEquals(Set.of(home), brokersThatServed(id), "no other broker ever saw the id");
            assertEquals(home, stuckServer(id));
        }
    }

    @Test
    void withoutAClientIdTheSameTwentyReconnectsSpreadOverTheBrokers() throws Exception {
        // The control for the test above: the balancer alone does not send a client to one broker.
        startBalancer(fastMqttCheck());
        Set<String> servers = new HashSet<>();
        try (ReconnectingClient client = Version.MQTT_3_1_1.client(balancerAddress(), "")) {
            for (int i = 0; i < RECONNECTS; i++) {
                TunnelEvent event = visit(client);
                assertNull(event.key(), "an empty client id routes without a key");
                servers.add(event.server());
            }
        }
        assertEquals(brokers.keySet(), servers);
        assertEquals(0, lb.backend("brokers").stickTable().size());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Version.class)
    void aClientWhoseBrokerIsMarkedDownMovesToALiveOneAndStaysThereWhenItComesBack(Version version) throws Exception {
        startBalancer(fastMqttCheck());
        String id = clientId("mover", version);
        try (ReconnectingClient client = version.client(balancerAddress(), id)) {
            String home = visit(client).server();
            client.connect();

            brokers.get(home).die();
            Await.until("the client to notice its broker died", WAIT, () -> !client.isConnected());
            assertEquals(home, nextEventOf(id).server(), "the cut tunnel");
            Await.until("the health check to mark " + home + " down", WAIT,
                    () -> !lb.backend("brokers").server(home).isUp());

            TunnelEvent moved = visit(client);
            String refuge = moved.server();
            assertNotEquals(home, refuge);
            assertEquals(1, moved.connectAttempts(), "a server marked down is not even tried");
            assertTrue(brokers.get(refuge).servedClientIds().contains(id));
            assertEquals(refuge, stuckServer(id), "the table is re-pointed");

            brokers.get(home).restart();
            Await.until("the health check to mark " + home + " up again", WAIT,
                    () -> lb.backend("brokers").server(home).isUp());
            for (int i = 0; i < 5; i++) {
                assertEquals(refuge, visit(client).server(), "reconnect " + i + " after the restart");
            }
            assertEquals(refuge, stuckServer(id));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Version.class)
    void aReconnectBeforeAnyHealthCheckNoticesIsRedispatchedToALiveBroker(Version version) throws Exception {
        // No health check: only the failed connects and the redispatch on the last retry move it.
        startBalancer(null);
        String id = clientId("redispatched", version);
        try (ReconnectingClient client = version.client(balancerAddress(), id)) {
            String home = visit(client).server();
            brokers.get(home).die();

            TunnelEvent moved = visit(client);
            String refuge = moved.server();
            assertNotEquals(home, refuge);
            assertTrue(moved.connectAttempts() > 1, "the dead broker was tried first: " + moved);
            assertTrue(brokers.get(refuge).servedClientIds().contains(id));
            assertEquals(refuge, stuckServer(id), "the table is re-pointed");

            brokers.get(home).restart();
            for (int i = 0; i < 5; i++) {
                TunnelEvent event = visit(client);
                assertEquals(refuge, event.server(), "reconnect " + i + " after the restart");
                assertEquals(1, event.connectAttempts());
            }
        }
    }

    private static HealthCheck fastMqttCheck() {
        return Mqtt.connectCheck()
                .interval(Duration.ofMillis(200))
                .fastInterval(Duration.ofMillis(100))
                .timeout(Duration.ofSeconds(1))
                .rise(2)
                .fall(2);
    }

    private void startBalancer(HealthCheck check) {
        lb = LoadBalancer.builder()
                .eventLoops(2)
                .listener(events)
                .backend("brokers", backend -> {
                    brokers.forEach((name, broker) -> backend.server(name, broker.address()));
                    backend.balancer(LeastConnections::new)
                            .stickTable(Mqtt.clientIdStickTable(10_000, Duration.ofMinutes(30)));
                    if (check != null) {
                        backend.healthCheck(check);
                    }
                })
                .frontend("mqtt", frontend -> frontend
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .keyExtractor(Mqtt.connectInspector())
                        .backend("brokers"))
                .build()
                .start();
    }

    private InetSocketAddress balancerAddress() {
        return lb.frontend("mqtt").boundAddresses().get(0);
    }

    /** Connects and disconnects once; answers the finished tunnel, which names its server. */
    private TunnelEvent visit(ReconnectingClient client) throws Exception {
        client.connect();
        client.disconnect();
        TunnelEvent event = events.next(WAIT);
        assertEquals(client.clientId().isEmpty() ? null : client.clientId(), event.key());
        return event;
    }

    private TunnelEvent nextEventOf(String id) throws InterruptedException {
        TunnelEvent event = events.next(WAIT);
        assertEquals(id, event.key());
        return event;
    }

    private String stuckServer(String id) {
        return lb.backend("brokers").stickTable().lookup(id, System.nanoTime());
    }

    private Set<String> brokersThatServed(String id) {
        return brokers.entrySet().stream()
                .filter(e -> e.getValue().servedClientIds().contains(id))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static String clientId(String role, Version version) {
        return role + "-" + version.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
