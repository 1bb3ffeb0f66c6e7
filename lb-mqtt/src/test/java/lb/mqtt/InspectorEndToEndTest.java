package lb.mqtt;

import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.NO_PROPERTIES;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.hexOf;
import static lb.mqtt.Packets.str;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.stick.StickTable;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * The inspector in a running load balancer: two tagging servers (each greets a connection with
 * its name, then echoes) behind a client-id stick table.
 */
class InspectorEndToEndTest {
    private final BlockingQueue<TunnelEvent> events = new LinkedBlockingQueue<>();
    private FakeServer a;
    private FakeServer b;

    @BeforeEach
    void startServers() {
        a = FakeServer.start("a", FakeServer.Mode.TAG);
        b = FakeServer.start("b", FakeServer.Mode.TAG);
    }

    @AfterEach
    void stopServers() {
        a.close();
        b.close();
    }

    @Test
    void reconnectsWithTheSameClientIdLandOnTheSameServer() throws Exception {
        StickTable table = Mqtt.clientIdStickTable(1_000, Duration.ofMinutes(5));
        try (LoadBalancer lb = balancer(Mqtt.connectInspector(), table, ServerState.READY)) {
            Map<String, String> firstServer = new HashMap<>();
            for (int round = 0; round < 4; round++) {
                for (String id : new String[] {"sensor-1", "sensor-2", "sensor-3"}) {
                    String server = serverReached(lb, connect(MQTT_311, "02", KEEP_ALIVE_60, str(id)));
                    assertEquals(firstServer.computeIfAbsent(id, k -> server), server, id + " in round " + round);
                }
            }
            assertEquals(3, table.size());
        }
    }

    @Test
    void aConnectAndThePublishBehindItReachTheServerIntact() throws Exception {
        byte[] stream = Packets.concat(connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("pub-1")),
                Packets.publish("a/b", "hello"));
        try (LoadBalancer lb = balancer(Mqtt.connectInspector(), null, ServerState.READY);
             Socket s = Clients.connect(address(lb))) {
            s.getOutputStream().write(stream);
            InputStream in = s.getInputStream();
            Clients.readLine(in);
            assertArrayEquals(stream, Clients.readExactly(in, stream.length), "echoed as sent");
        }
    }

    @Test
    void aMalformedConnectIsClosedAndNoByteReachesAnyServer() throws Exception {
        try (LoadBalancer lb = balancer(Mqtt.connectInspector(), null, ServerState.READY);
             Socket s = Clients.connect(address(lb))) {
            s.getOutputStream().write(connect(MQTT_311, "03", KEEP_ALIVE_60, str("sneaky")));
            assertEquals(-1, s.getInputStream().read(), "closed without a reply");
            TunnelEvent event = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(event);
            assertEquals(Termination.INSPECT_REJECTED, event.termination());
            assertTrue(event.detail().contains("MQTT-3.1.2-3"), event.detail());
        }
        assertEquals(0, a.accepted() + b.accepted());
        assertEquals(0, a.bytesReceived() + b.bytesReceived());
    }

    @Test
    void withRepliesOnABadProtocolLevelGetsTheRefusalItsClientReads() throws Exception {
        ConnectInspector replying = Mqtt.connectInspector().withConnackReplies(true);
        try (LoadBalancer lb = balancer(replying, null, ServerState.READY)) {
            assertEquals("20020001", refusal(lb, connect("0006 4d5149736470 04", "02", KEEP_ALIVE_60, str("a")), 4));
            assertEquals("2003008400", refusal(lb, connect("0004 4d515454 07", "02", KEEP_ALIVE_60, NO_PROPERTIES,
                    str("a")), 5));
        }
        assertEquals(0, a.accepted() + b.accepted());
    }

    @Test
    void withRepliesOnAClientNoServerCanTakeHearsServerUnavailable() throws Exception {
        ConnectInspector replying = Mqtt.connectInspector().withConnackReplies(true);
        try (LoadBalancer lb = balancer(replying, null, ServerState.MAINTENANCE)) {
            assertEquals("2003008800", refusal(lb, connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("a")), 5));
            assertEquals("20020003", refusal(lb, connect(MQTT_311, "02", KEEP_ALIVE_60, str("a")), 4));
        }
    }

    @Test
    void aRefusalSurvivesAClientThatKeepsWritingAfterItsConnect() throws Exception {
        // Closing a socket with unread input makes the kernel send a reset instead of a FIN, and
        // a reset makes the client's kernel drop what it has received but not yet read: the
        // CONNACK. So the balancer must drain the client before it closes.
        ConnectInspector replying = Mqtt.connectInspector().withConnackReplies(true);
        byte[] refused = connect(MQTT_5, "02", KEEP_ALIVE_60, Packets.properties("21 0000"), str("a"));
        byte[] more = new byte[64 * 1024];
        Arrays.fill(more, (byte) 0x30);
        try (LoadBalancer lb = balancer(replying, null, ServerState.READY);
             Socket s = Clients.connect(address(lb))) {
            s.getOutputStream().write(Packets.concat(refused, more));
            // Read nothing until the balancer is done with the client: a reset, if one is coming,
            // has arrived by then.
            TunnelEvent event = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "the refused tunnel ends");
            assertEquals(Termination.INSPECT_REJECTED, event.termination());
            InputStream in = s.getInputStream();
            assertEquals("2003008200", hexOf(Clients.readExactly(in, 5)), "CONNACK protocol error");
            assertEquals(-1, in.read(), "then a clean end of stream");
        }
        assertEquals(0, a.accepted() + b.accepted());
    }

    private LoadBalancer balancer(ConnectInspector inspector, StickTable table, ServerState state) {
        return LoadBalancer.builder()
                .eventLoops(2)
                .listener(events::add)
                .backend("brokers", backend -> {
                    backend.server("a", a.address(), o -> o.state(state))
                            .server("b", b.address(), o -> o.state(state));
                    if (table != null) {
                        backend.stickTable(table);
                    }
                })
                .frontend("mqtt", frontend -> frontend
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        // the tagging servers answer in lines, not MQTT packets: nothing to frame
                        .keyExtractor(inspector.withPacketFraming(false))
                        .backend("brokers"))
                .build()
                .start();
    }

    /** Connects, sends {@code packet}, and answers the name the server greeted with. */
    private static String serverReached(LoadBalancer lb, byte[] packet) throws IOException {
        try (Socket s = Clients.connect(address(lb))) {
            s.getOutputStream().write(packet);
            return Clients.readLine(s.getInputStream());
        }
    }

    /** Sends {@code packet} and answers the {@code length} bytes that come back before the close, as hex. */
    private static String refusal(LoadBalancer lb, byte[] packet, int length) throws IOException {
        try (Socket s = Clients.connect(address(lb))) {
            s.getOutputStream().write(packet);
            InputStream in = s.getInputStream();
            byte[] reply = Clients.readExactly(in, length);
            assertEquals(-1, in.read(), "closed after the reply");
            return hexOf(reply);
        }
    }

    private static InetSocketAddress address(LoadBalancer lb) {
        return lb.frontend("mqtt").boundAddresses().get(0);
    }
}
