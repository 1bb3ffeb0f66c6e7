package lb.examples.bench;

import java.net.InetSocketAddress;
import java.util.List;

import lb.mqtt.Mqtt;

/**
 * The HAProxy configuration equivalent to {@link BalancerProcess}: the setup MQTT operators run
 * (mode tcp, least connections, a stick table on the CONNECT's client identifier, CONNECT
 * validated within an inspect delay), with the same timeouts, backlog and table size. Logging is
 * off, as the balancer's connection log is. Stateless.
 */
final class HaproxyConfig {
    private HaproxyConfig() {
    }

    /**
     * @param threads     {@code nbthread}
     * @param maxconn     connections HAProxy may hold (each costs it two descriptors)
     * @param mqttPort    frontend over every broker
     * @param pubsubPort  frontend over the first broker alone
     * @param brokers     the brokers, in order
     */
    static String render(int threads, int maxconn, int mqttPort, int pubsubPort, List<InetSocketAddress> brokers) {
        return render(threads, maxconn, mqttPort, pubsubPort, null, brokers);
    }

    /**
     * The same, both frontends terminating TLS ({@code bind ... ssl crt}) when
     * {@code certificateAndKey} is given: a PEM file holding the certificate chain and its key.
     */
    static String render(int threads, int maxconn, int mqttPort, int pubsubPort, String certificateAndKey,
            List<InetSocketAddress> brokers) {
        long expiryMinutes = BalancerProcess.STICK_EXPIRY.toMinutes();
        String tls = certificateAndKey == null ? "" : " ssl crt " + certificateAndKey;
        StringBuilder s = new StringBuilder();
        globalAndDefaults(s, threads, maxconn);
        frontend(s, "mqtt", port(mqttPort) + tls, "brokers");
        frontend(s, "pubsub", port(pubsubPort) + tls, "pubsub-broker");
        backend(s, "brokers", brokers, expiryMinutes);
        backend(s, "pubsub-broker", brokers.subList(0, 1), expiryMinutes);
        return s.toString();
    }

    /**
     * The same setup with a plain frontend and a TLS-terminating one ({@code bind ... ssl crt}) in
     * front of the same brokers, as the gateway runs with {@code --listen} and {@code --tls-listen}.
     *
     * @param certificateAndKey a PEM file holding the certificate chain and its private key
     */
    static String renderWithTls(int threads, int maxconn, int mqttPort, int tlsPort, String certificateAndKey,
            List<InetSocketAddress> brokers) {
        StringBuilder s = new StringBuilder();
        globalAndDefaults(s, threads, maxconn);
        frontend(s, "mqtt", port(mqttPort), "brokers");
        frontend(s, "mqtts", port(tlsPort) + " ssl crt " + certificateAndKey, "brokers");
        backend(s, "brokers", brokers, BalancerProcess.STICK_EXPIRY.toMinutes());
        return s.toString();
    }

    private static String port(int port) {
        return "127.0.0.1:" + port + " backlog " + BalancerProcess.BACKLOG;
    }

    private static void globalAndDefaults(StringBuilder s, int threads, int maxconn) {
        s.append("global\n")
                .append("    nbthread ").append(threads).append('\n')
                .append("    maxconn ").append(maxconn).append('\n')
                .append("\ndefaults\n")
                .append("    mode tcp\n")
                .append("    maxconn ").append(maxconn).append('\n')
                .append("    option tcpka\n")
                .append("    timeout connect ").append(BalancerProcess.CONNECT_TIMEOUT.toSeconds()).append("s\n")
                .append("    timeout client ").append(BalancerProcess.IDLE_TIMEOUT.toMinutes()).append("m\n")
                .append("    timeout server ").append(BalancerProcess.IDLE_TIMEOUT.toMinutes()).append("m\n");
    }

    /** {@code bind} is what follows the keyword: address and options. */
    private static void frontend(StringBuilder s, String name, String bind, String backend) {
        s.append("\nfrontend ").append(name).append('\n')
                .append("    bind ").append(bind).append('\n')
                .append("    tcp-request inspect-delay ").append(BalancerProcess.INSPECT_DELAY.toSeconds()).append("s\n")
                .append("    tcp-request content reject unless { req.payload(0,0),mqtt_is_valid }\n")
                .append("    default_backend ").append(backend).append('\n');
    }

    private static void backend(StringBuilder s, String name, List<InetSocketAddress> servers, long expiryMinutes) {
        s.append("\nbackend ").append(name).append('\n')
                .append("    balance leastconn\n")
                .append("    stick-table type string len ").append(Mqtt.MAX_STICKY_CLIENT_ID_LENGTH)
                .append(" size ").append(BalancerProcess.STICK_TABLE_CAPACITY / 1000).append("k expire ")
                .append(expiryMinutes).append("m\n")
                .append("    stick on req.payload(0,0),mqtt_field_value(connect,client_identifier)\n");
        for (int i = 0; i < servers.size(); i++) {
            InetSocketAddress a = servers.get(i);
            s.append("    server broker-").append(i + 1).append(' ').append(a.getAddress().getHostAddress())
                    .append(':').append(a.getPort()).append('\n');
        }
    }
}
