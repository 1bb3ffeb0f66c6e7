package lb.examples.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;

import lb.core.testing.Await;

/**
 * A real MQTT 3.1.1 broker (Moquette) in this process, on 127.0.0.1 and a free port, keeping
 * everything in memory and reporting nothing anywhere. It records the client id of every
 * CONNECT it accepted, so a test can tell what reached it.
 */
public final class EmbeddedMoquette implements AutoCloseable {
    private final Server server = new Server();
    private final Set<String> connectedClientIds = ConcurrentHashMap.newKeySet();

    private EmbeddedMoquette() {
    }

    public static EmbeddedMoquette start() throws IOException {
        return start(false);
    }

    /** A broker that also listens for MQTT over WebSocket, at path {@code /mqtt} on a free port. */
    public static EmbeddedMoquette startWithWebSocket() throws IOException {
        EmbeddedMoquette broker = start(true);
        Await.until("the broker to report its WebSocket port", Duration.ofSeconds(10), () -> broker.webSocketPort() > 0);
        return broker;
    }

    private static EmbeddedMoquette start(boolean webSocket) throws IOException {
        EmbeddedMoquette broker = new EmbeddedMoquette();
        Properties config = new Properties();
        config.setProperty(IConfig.HOST_PROPERTY_NAME, "127.0.0.1");
        config.setProperty(IConfig.PORT_PROPERTY_NAME, "0");
        config.setProperty(IConfig.WEB_SOCKET_PORT_PROPERTY_NAME, webSocket ? "0" : BrokerConstants.DISABLED_PORT_BIND);
        config.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        config.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
        // On by default in this version: it would send usage data out of the test run.
        config.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
        config.setProperty(BrokerConstants.METRICS_ENABLE_PROPERTY_NAME, "false");
        config.setProperty(BrokerConstants.BUGSNAG_ENABLE_PROPERTY_NAME, "false");
        config.setProperty(BrokerConstants.NETTY_EPOLL_PROPERTY_NAME, "false");
        broker.server.startServer(new MemoryConfig(config), List.of(broker.new ConnectRecorder()));
        // The bound port is recorded when the bind completes, which may be just after start returns.
        Await.until("the broker to report its port", Duration.ofSeconds(10), () -> broker.server.getPort() > 0);
        return broker;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getPort());
    }

    /** Its WebSocket listener (with {@link #startWithWebSocket}), path {@code /mqtt}. */
    public InetSocketAddress webSocketAddress() {
        return new InetSocketAddress("127.0.0.1", webSocketPort());
    }

    /**
     * The bound WebSocket port, 0 until bound. This Moquette version reports only its TCP and SSL
     * ports, so the acceptor's record of every bound port is read (the key is its transport name).
     */
    private int webSocketPort() {
        try {
            java.lang.reflect.Field acceptorField = Server.class.getDeclaredField("acceptor");
            acceptorField.setAccessible(true);
            Object acceptor = acceptorField.get(server);
            java.lang.reflect.Field portsField = acceptor.getClass().getDeclaredField("ports");
            portsField.setAccessible(true);
            Integer port = ((java.util.Map<?, ?>) portsField.get(acceptor)).get("Websocket MQTT") instanceof Integer p ? p : null;
            return port == null ? 0 : port;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Moquette version keeps its ports elsewhere", e);
        }
    }

    /** Client ids of every CONNECT the broker accepted so far (a live view). */
    public Set<String> connectedClientIds() {
        return connectedClientIds;
    }

    @Override
    public void close() {
        server.stopServer();
    }

    private final class ConnectRecorder extends AbstractInterceptHandler {
        @Override
        public String getID() {
            return "connect-recorder";
        }

        @Override
        public void onConnect(InterceptConnectMessage message) {
            connectedClientIds.add(message.getClientID());
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            // The broker logs these itself, and a test sees their effect.
        }
    }
}
