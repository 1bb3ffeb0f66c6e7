package lb.examples.it;

import java.net.InetSocketAddress;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * One Eclipse Paho client, of either protocol version, that connects and disconnects again and
 * again under the same client id, as a device does. Reconnecting is left to the test, so each
 * attempt is one the test can see.
 */
interface ReconnectingClient extends AutoCloseable {
    String clientId();

    /** Connects and returns once the CONNACK accepted it. */
    void connect() throws Exception;

    /** Disconnects politely (DISCONNECT, then close). */
    void disconnect() throws Exception;

    boolean isConnected();

    /** Releases the client's threads, disconnecting first if it is still connected. */
    @Override
    void close();

    /** The protocol versions the tests run with. */
    enum Version {
        MQTT_3_1_1 {
            @Override
            ReconnectingClient client(InetSocketAddress balancer, String clientId) throws Exception {
                return new V3(uri(balancer), clientId);
            }
        },
        MQTT_5 {
            @Override
            ReconnectingClient client(InetSocketAddress balancer, String clientId) throws Exception {
                return new V5(uri(balancer), clientId);
            }
        };

        abstract ReconnectingClient client(InetSocketAddress balancer, String clientId) throws Exception;

        private static String uri(InetSocketAddress address) {
            return "tcp://" + address.getHostString() + ":" + address.getPort();
        }
    }

    final class V3 implements ReconnectingClient {
        private final org.eclipse.paho.client.mqttv3.MqttClient paho;
        private final MqttConnectOptions options = new MqttConnectOptions();

        V3(String uri, String clientId) throws Exception {
            paho = new org.eclipse.paho.client.mqttv3.MqttClient(uri, clientId,
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setCleanSession(true);
            options.setConnectionTimeout(5);
            options.setAutomaticReconnect(false);
        }

        @Override
        public String clientId() {
            return paho.getClientId();
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
        public boolean isConnected() {
            return paho.isConnected();
        }

        @Override
        public void close() {
            try {
                if (paho.isConnected()) {
                    paho.disconnect(1_000);
                }
                paho.close(true);
            } catch (Exception e) {
                throw new IllegalStateException("closing client " + clientId(), e);
            }
        }
    }

    final class V5 implements ReconnectingClient {
        private final org.eclipse.paho.mqttv5.client.MqttClient paho;
        private final MqttConnectionOptions options = new MqttConnectionOptions();

        V5(String uri, String clientId) throws Exception {
            paho = new org.eclipse.paho.mqttv5.client.MqttClient(uri, clientId,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            options.setCleanStart(true);
            options.setConnectionTimeout(5);
            options.setAutomaticReconnect(false);
        }

        @Override
        public String clientId() {
            return paho.getClientId();
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
        public boolean isConnected() {
            return paho.isConnected();
        }

        @Override
        public void close() {
            try {
                if (paho.isConnected()) {
                    paho.disconnect(1_000);
                }
                paho.close(true);
            } catch (Exception e) {
                throw new IllegalStateException("closing client " + clientId(), e);
            }
        }
    }
}
