package lb.examples.gateway;

import java.util.Map;

/**
 * What the demo's built-in load showed. {@code clientsPerBroker}: distinct client ids each
 * broker served in the first phase; {@code stickyClients}: of those, how many reconnected to
 * the same broker; {@code failoverMillis}: from killing a broker to the balancer marking it
 * down; {@code movedClients}: clients of the dead broker that reconnected to another one. The
 * demo's brokers are independent (not a cluster), so publishes are counted as acknowledged by
 * the broker each publisher reached, not as deliveries across brokers.
 */
record DemoReport(
        int clients,
        long connected,
        Map<String, Integer> clientsPerBroker,
        int stickyClients,
        long connectP50Micros,
        long connectP99Micros,
        long published,
        long acknowledged,
        long failoverMillis,
        int movedClients,
        long recoveryMillis) {

    boolean allServed() {
        return connected == clients;
    }

    boolean stickinessHeld() {
        return stickyClients == clients;
    }

    boolean everyPublishAcknowledged() {
        return published > 0 && acknowledged == published;
    }
}
