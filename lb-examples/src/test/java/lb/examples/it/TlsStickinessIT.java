package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

import javax.net.SocketFactory;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import lb.core.LoadBalancer;
import lb.core.balance.LeastConnections;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.EventLog;
import lb.core.tls.TlsSettings;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * Eclipse Paho, MQTT 3.1.1 and 5.0, over TLS through a library-built balancer that terminates
 * TLS, reads the CONNECT from the decrypted bytes and sticks client ids to one of three plain
 * in-process brokers: the same stickiness as {@link StickinessIT} shows over plain TCP.
 */
@Timeout(60)
class TlsStickinessIT {
    private static final int RECONNECTS = 20;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Map<String, FakeBroker> brokers = new LinkedHashMap<>();
    private final EventLog events = new EventLog();
    private LoadBalancer lb;
    private SocketFactory tls;

    enum Version { MQTT_3_1_1, MQTT_5 }

    @BeforeEach
    void start() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            brokers.put(name, new FakeBroker("broker-" + name).start());
        }
        tls = TestTls.clientContext(null).getSocketFactory();
        lb = LoadBalancer.builder()
                .eventLoops(2)
                .listener(events)
                .backend("brokers", backend -> {
                    brokers.forEach((name, broker) -> backend.server(name, broker.address()));
                    backend.balancer(LeastConnections::new)
                            .stickTable(Mqtt.clientIdStickTable(10_000, Duration.ofMinutes(30)));
                })
                .frontend("mqtts", frontend -> {
                    try {
                        frontend.listen(new InetSocketAddress("127.0.0.1", 0))
                                .tls(TlsSettings.of(TestTls.broker()))
                                .keyExtractor(Mqtt.connectInspector())
                                .backend("brokers");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.close();
        }
        brokers.values().forEach(FakeBroker::stop);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Version.class)
    void theSameClientIdLandsOnTheSameBrokerAcrossTwentyTlsReconnects(Version version) throws Exception {
        String id = "loyal-tls-" + version.name().toLowerCase(Locale.ROOT).replace('_', '-');
        try (Client client = client(version, id)) {
            String home = null;
            for (int i = 0; i < RECONNECTS; i++) {
                TunnelEvent e = visit(client, id);
                home = home == null ? e.server() : home;
                assertEquals(home, e.server(), "reconnect " + i);
            }
            assertEquals(Set.of(home), brokersThatServed(id), "no other broker ever saw the id");
            assertEquals(home, lb.backend("brokers").stickTable().lookup(id, System.nanoTime()));
        }
    }

    @Test
    void withoutAClientIdTheSameReconnectsSpreadOverTheBrokers() throws Exception {
        Set<String> servers = new HashSet<>();
        try (Client client = client(Version.MQTT_3_1_1, "")) {
            for (int i = 0; i < RECONNECTS; i++) {
                servers.add(visit(client, null).server());
            }
        }
        assertEquals(brokers.keySet(), servers);
        assertEquals(0, lb.backend("brokers").stickTable().size());
    }

    /** Connects over TLS, disconnects; the finished tunnel names its server and its handshake. */
    private TunnelEvent visit(Client client, String expectedKey) throws Exception {
        client.connect();
        client.disconnect();
        TunnelEvent e = events.next(WAIT);
        // after a DISCONNECT the broker may close before the client does
        assertTrue(e.termination() == Termination.CLIENT_CLOSED || e.termination() == Termination.SERVER_CLOSED,
                String.valueOf(e));
        assertEquals(expectedKey, e.key());
        assertNotNull(e.tls(), "the tunnel was TLS");
        assertEquals("TLSv1.3", e.tls().protocol());
        assertNull(e.tls().clientCertificate());
        return e;
    }

    private Set<String> brokersThatServed(String id) {
        return brokers.entrySet().stream()
                .filter(e -> e.getValue().servedClientIds().contains(id))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private String uri() {
        InetSocketAddress at = lb.frontend("mqtts").boundAddresses().get(0);
        return "ssl://" + at.getHostString() + ":" + at.getPort();
    }

    private Client client(Version version, String id) throws Exception {
        return version == Version.MQTT_3_1_1 ? new V3(uri(), id, tls) : new V5(uri(), id, tls);
    }

    private interface Client extends AutoCloseable {
        void connect() throws Exception;

        void disconnect() throws Exception;

        @Override
        void close() throws Exception;
    }

    /**
     * Paho checks the host name against the certificate by default; the balancer is reached as
     * 127.0.0.1, which the test certificate does not name, so that check is off (the chain is
     * still verified against the test CA).
     */
    private static final class V3 implements Client {
        private final org.eclipse.paho.client.mqttv3.MqttClient paho;
        private final MqttConnectOptions options = new MqttConnectOptions();

        V3(String uri, String id, SocketFactory tls) throws Exception {
            paho = new org.eclipse.paho.client.mqttv3.MqttClient(uri, id,
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setCleanSession(true);
            options.setConnectionTimeout(5);
            options.setSocketFactory(tls);
            options.setHttpsHostnameVerificationEnabled(false);
        }

        @Override
        public void connect() throws Exception {
            paho.connect(options);
        }

        @Override
        public void disconnect() throws Exception {
            paho.disconnect();
        }

        @Override
        public void close() throws Exception {
            paho.close(true);
        }
    }

    private static final class V5 implements Client {
        private final org.eclipse.paho.mqttv5.client.MqttClient paho;
        private final MqttConnectionOptions options = new MqttConnectionOptions();

        V5(String uri, String id, SocketFactory tls) throws Exception {
            paho = new org.eclipse.paho.mqttv5.client.MqttClient(uri, id,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            options.setCleanStart(true);
            options.setConnectionTimeout(5);
            options.setSocketFactory(tls);
            options.setHttpsHostnameVerificationEnabled(false);
        }

        @Override
        public void connect() throws Exception {
            paho.connect(options);
        }

        @Override
        public void disconnect() throws Exception {
            // Paho 5 (1.2.5) over TLS leaves its socket open after disconnect(): the tunnel must
            // end when the broker closes, not wait for a client that never closes
            paho.disconnect();
        }

        @Override
        public void close() throws Exception {
            paho.close(true);
        }
    }
}
