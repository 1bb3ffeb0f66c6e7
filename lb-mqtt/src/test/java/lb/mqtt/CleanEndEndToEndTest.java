package lb.mqtt;

import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.NO_PROPERTIES;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.hex;
import static lb.mqtt.Packets.hexOf;
import static lb.mqtt.Packets.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.config.Pacing;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.RecordingServer;

/**
 * The inspector's framing in a running balancer, against a server that answers CONNACK and
 * records what reaches it: when the balancer ends a tunnel the broker hears DISCONNECT in the
 * client's name, a 5.0 client hears why, a 3.1.1 client sees its connection end.
 */
class CleanEndEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] CONNACK_5 = hex("20 03 00 00 00");
    private static final byte[] CONNACK_311 = hex("20 02 00 00");
    private static final byte[] CONNECT_5 = connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("dev-5"));
    private static final byte[] CONNECT_311 = connect(MQTT_311, "02", KEEP_ALIVE_60, str("dev-3"));

    private final EventLog events = new EventLog();

    @Test
    void removingTheServerTellsA5ClientToUseAnotherAndTheBrokerThatItLeftNormally() throws Exception {
        try (RecordingServer broker = RecordingServer.start(CONNACK_5);
             LoadBalancer lb = balancer(broker, Mqtt.connectInspector());
             Socket client = connected(lb, CONNECT_5, CONNACK_5)) {
            lb.backend("brokers").removeServer("broker", Duration.ZERO);
            assertEquals("e0029c00", hexOf(readToEnd(client.getInputStream())), "DISCONNECT use another server, then the end");
            client.close();
            RecordingServer.Connection at = broker.connection(0, WAIT);
            Await.until("the broker to see the end", WAIT, at::ended);
            assertEquals(hexOf(CONNECT_5) + "e000", hexOf(at.received()), "DISCONNECT normal: no will");
            assertEquals(Termination.SERVER_REMOVED, events.next(WAIT).termination());
        }
    }

    @Test
    void aPacedShutdownTellsA5ClientTheServerIsShuttingDown() throws Exception {
        try (RecordingServer broker = RecordingServer.start(CONNACK_5)) {
            LoadBalancer lb = balancer(broker, Mqtt.connectInspector().withServerReference("elsewhere:1883"));
            try (Socket client = connected(lb, CONNECT_5, CONNACK_5)) {
                Thread closer = new Thread(() -> lb.shutdown(Pacing.over(Duration.ofMillis(200))));
                closer.start();
                assertEquals("e0028b00", hexOf(readToEnd(client.getInputStream())));
                client.close();
                closer.join(WAIT.toMillis());
                assertEquals(Termination.SHUTDOWN, events.next(WAIT).termination());
                assertEquals(hexOf(CONNECT_5) + "e000", hexOf(broker.connection(0, WAIT).received()));
            }
        }
    }

    @Test
    void a311ClientSeesItsConnectionEndAfterTheBrokerHeardItsDisconnect() throws Exception {
        try (RecordingServer broker = RecordingServer.start(CONNACK_311);
             LoadBalancer lb = balancer(broker, Mqtt.connectInspector());
             Socket client = connected(lb, CONNECT_311, CONNACK_311)) {
            lb.backend("brokers").removeServer("broker", Duration.ZERO);
            assertEquals(0, readToEnd(client.getInputStream()).length, "3.1.1 has no DISCONNECT from the server");
            client.close();
            RecordingServer.Connection at = broker.connection(0, WAIT);
            Await.until("the broker to see the end", WAIT, at::ended);
            assertEquals(hexOf(CONNECT_311) + "e000", hexOf(at.received()));
        }
    }

    @Test
    void withTheWillAskedForTheBrokerIsNotToldTheClientLeftNormally() throws Exception {
        ConnectInspector willing = Mqtt.connectInspector().withWillOnBalancerEnd(true);
        try (RecordingServer broker = RecordingServer.start(CONNACK_311);
             LoadBalancer lb = balancer(broker, willing);
             Socket client = connected(lb, CONNECT_311, CONNACK_311)) {
            lb.backend("brokers").removeServer("broker", Duration.ZERO);
            readToEnd(client.getInputStream());
            client.close();
            RecordingServer.Connection at = broker.connection(0, WAIT);
            Await.until("the broker to see the end", WAIT, at::ended);
            assertArrayEquals(CONNECT_311, at.received(), "no DISCONNECT: the broker publishes the will");
        }
    }

    @Test
    void aServerSendingBytesThatAreNoPacketEndsTheTunnelAsFramingInvalid() throws Exception {
        try (RecordingServer broker = RecordingServer.start(CONNACK_311);
             LoadBalancer lb = balancer(broker, Mqtt.connectInspector());
             Socket client = connected(lb, CONNECT_311, CONNACK_311)) {
            broker.connection(0, WAIT).send(hex("00 00"));
            TunnelEvent event = events.next(WAIT);
            assertEquals(Termination.FRAMING_INVALID, event.termination());
            assertTrue(event.detail().startsWith("server sent bytes that are no packet"), event.detail());
            assertEquals(0, readToEnd(client.getInputStream()).length, "the bad bytes were not forwarded");
        }
    }

    private LoadBalancer balancer(RecordingServer broker, ConnectInspector inspector) {
        return LoadBalancer.builder()
                .eventLoops(1)
                .listener(events)
                .backend("brokers", backend -> backend.server("broker", broker.address()))
                .frontend("mqtt", frontend -> frontend
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .keyExtractor(inspector)
                        .backend("brokers"))
                .build()
                .start();
    }

    private static Socket connected(LoadBalancer lb, byte[] connect, byte[] connack) throws IOException {
        Socket s = Clients.connect(lb.frontend("mqtt").boundAddresses().get(0));
        s.setSoTimeout((int) WAIT.toMillis());
        s.getOutputStream().write(connect);
        assertArrayEquals(connack, Clients.readExactly(s.getInputStream(), connack.length));
        return s;
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[256];
        int n;
        while ((n = in.read(b)) >= 0) {
            out.write(b, 0, n);
        }
        return out.toByteArray();
    }
}
