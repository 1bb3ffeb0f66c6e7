package lb.mqtt;

import java.time.Duration;

import lb.core.health.HealthCheck;
import lb.core.model.KeyExtractor;
import lb.core.stick.LruStickTable;
import lb.core.stick.StickTable;
import lb.core.websocket.WebSocketInspector;
import lb.core.websocket.WebSocketSettings;

/**
 * Where MQTT awareness starts when composing a load balancer:
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder()
 *     .backend("brokers", backend -> backend
 *         .server("broker-a", new InetSocketAddress("10.0.0.11", 1883))
 *         .server("broker-b", new InetSocketAddress("10.0.0.12", 1883))
 *         .stickTable(Mqtt.clientIdStickTable(200_000, Duration.ofMinutes(30))))
 *     .frontend("mqtt", frontend -> frontend
 *         .listen(new InetSocketAddress(1883))
 *         .keyExtractor(Mqtt.connectInspector().withConnackReplies(true))
 *         .backend("brokers"))
 *     .build();
 * }</pre>
 */
public final class Mqtt {
    /**
     * Client identifiers up to this many characters are kept as they are in the stick table;
     * longer ones (MQTT allows 65,535 bytes) are kept as a fixed-length SHA-256 digest
     * ({@link StickTable#tableKey}), so they stick and count for the per-client-id rules like
     * any other, while no client can make a table entry arbitrarily large. 5.0 brokers must
     * accept 23 bytes [MQTT-3.1.3-5]; UUIDs and prefixed device serials fit with room to spare.
     */
    public static final int MAX_STICKY_CLIENT_ID_LENGTH = 256;

    private Mqtt() {
    }

    /**
     * The CONNECT inspector for a frontend: routes by client identifier, refuses malformed
     * CONNECTs and those over {@link MqttConnectParser#DEFAULT_MAX_PACKET_SIZE}, and sends no
     * CONNACK unless asked to with {@link ConnectInspector#withConnackReplies}.
     */
    public static ConnectInspector connectInspector() {
        return new ConnectInspector(new MqttConnectParser(), false);
    }

    /**
     * The MQTT health check (3.1.1): CONNECT, expect CONNACK "accepted", DISCONNECT. Set its
     * interval, timeout, rise and fall on the returned check.
     */
    public static HealthCheck connectCheck() {
        return MqttConnectCheck.create(MqttVersion.V3_1_1);
    }

    /** The MQTT health check speaking {@code version} (3.1.1 or 5.0). */
    public static HealthCheck connectCheck(MqttVersion version) {
        return MqttConnectCheck.create(version);
    }

    /**
     * A stick table for a backend that sends each client identifier back to the broker that
     * holds its session: at most {@code capacity} identifiers (the least recently used go first),
     * each forgotten after {@code expireAfterIdle} without a connection.
     */
    public static StickTable clientIdStickTable(int capacity, Duration expireAfterIdle) {
        return new LruStickTable(capacity, expireAfterIdle, MAX_STICKY_CLIENT_ID_LENGTH);
    }

    /**
     * As {@link #clientIdStickTable(int, Duration)}, and counting each client identifier's
     * connections and their rate over a sliding {@code ratePeriod}: the table a frontend's
     * {@code maxKeyConnectionRate} (a client stuck in a reconnect loop) needs.
     */
    public static StickTable clientIdStickTable(int capacity, Duration expireAfterIdle, Duration ratePeriod) {
        return new LruStickTable(capacity, expireAfterIdle, MAX_STICKY_CLIENT_ID_LENGTH, ratePeriod);
    }

    /**
     * MQTT over WebSocket for a frontend: {@code inspector} (the CONNECT inspector) reads the
     * CONNECT inside the client's frames, the upgrade is accepted for the subprotocols MQTT
     * clients ask for ({@code mqtt}, and {@code mqttv3.1} for 3.1), and at {@code path} alone
     * (any path if null), CONNECTs up to the parser's largest accepted packet. The frontend's
     * servers are the brokers' WebSocket listeners.
     */
    public static WebSocketInspector overWebSocket(KeyExtractor inspector, String path) {
        WebSocketSettings settings = WebSocketSettings.of("mqtt", "mqttv3.1")
                .withMaxFirstMessageBytes(MqttConnectParser.DEFAULT_MAX_PACKET_SIZE);
        return new WebSocketInspector(inspector, path == null ? settings : settings.withPath(path));
    }
}
