package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.EventLog;
import lb.core.tls.TlsSettings;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * Hostile input on a TLS port with the MQTT inspector behind it: garbage, an HTTP request,
 * plain MQTT and a handshake that stalls are each closed within the inspect delay with their
 * named reason, and no broker is touched; a ClientHello sent one byte per TCP segment still
 * handshakes and reaches its broker.
 */
@Timeout(60)
class TlsHostileInputIT {
    private static final Duration INSPECT_DELAY = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] CONNECT = {0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 5, 's', 'l', 'o', 'w', '1'};

    private final EventLog events = new EventLog();
    private FakeBroker broker;
    private LoadBalancer lb;

    @BeforeEach
    void start() throws Exception {
        broker = new FakeBroker("a").start();
        TlsSettings tls = TlsSettings.of(TestTls.broker());
        lb = LoadBalancer.builder().eventLoops(2).listener(events)
                .backend("brokers", b -> b.server("a", broker.address()))
                .frontend("mqtts", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).tls(tls)
                        .inspectDelay(INSPECT_DELAY).keyExtractor(Mqtt.connectInspector()).backend("brokers"))
                .build().start();
    }

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void garbageHttpAndPlainMqttAreRefusedAsNotTlsAndReachNoBroker() throws Exception {
        byte[] garbage = new byte[512];
        new Random(12).nextBytes(garbage);
        garbage[0] = 0x7f; // not a TLS record type, whatever the seed gives
        byte[][] inputs = {garbage, "GET / HTTP/1.1\r\nHost: broker.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII), CONNECT};
        for (byte[] input : inputs) {
            try (Socket s = plain()) {
                s.getOutputStream().write(input);
                drain(s.getInputStream());
            }
            TunnelEvent e = events.next(WAIT);
            assertEquals(Termination.TLS_HANDSHAKE_FAILED, e.termination(), String.valueOf(e));
            assertTrue(e.detail().contains("NOT_TLS"), e.detail());
            assertTrue(e.totalNs() < INSPECT_DELAY.toNanos(), "closed within the inspect delay: " + e);
        }
        assertEquals(3L, lb.stats().frontend("mqtts").tls().failures().get("not_tls"));
        assertEquals(0, broker.connectsAccepted(), "no broker touched");
        assertEquals(0, broker.openConnections());
    }

    @Test
    void aHandshakeThatStallsIsClosedAtTheInspectDelay() throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = plain()) {
            // a TLS handshake record header announcing 512 bytes, then five of them, then nothing
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03});
            drain(s.getInputStream());
        }
        long closedAfter = System.nanoTime() - t0;
        TunnelEvent e = events.next(WAIT);
        assertEquals(Termination.TLS_HANDSHAKE_TIMEOUT, e.termination(), String.valueOf(e));
        assertTrue(closedAfter >= INSPECT_DELAY.toNanos() - 100_000_000L, "not before: " + closedAfter / 1_000_000 + " ms");
        assertTrue(closedAfter < INSPECT_DELAY.toNanos() + 1_000_000_000L, "nor long after: " + closedAfter / 1_000_000 + " ms");
        assertEquals(0, broker.connectsAccepted(), "no broker touched");
    }

    @Test
    void aClientHelloSentOneBytePerSegmentStillHandshakes() throws Exception {
        InetSocketAddress target = lb.frontend("mqtts").boundAddresses().get(0);
        try (ServerSocket relay = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread forwarder = new Thread(() -> relayOneBytePerSegment(relay, target));
            forwarder.setDaemon(true);
            forwarder.start();
            try (SSLSocket s = TestTls.withServerName((SSLSocket) TestTls.clientContext(null).getSocketFactory()
                    .createSocket("127.0.0.1", relay.getLocalPort()), "mqtt.example.com")) {
                s.setSoTimeout((int) WAIT.toMillis());
                s.getOutputStream().write(CONNECT);
                assertEquals(0x20, s.getInputStream().read(), "CONNACK through the balancer");
            }
        }
        TunnelEvent e = events.next(WAIT);
        assertEquals("slow1", e.key(), String.valueOf(e));
        assertEquals("mqtt.example.com", e.tls().serverName());
        assertEquals(1, broker.connectsAccepted());
    }

    /**
     * Accepts one client and copies its first 600 bytes (its whole ClientHello and some) to
     * {@code target} one byte per write, with TCP_NODELAY and a pause, so each goes in its own
     * segment; the rest both ways as it comes.
     */
    private static void relayOneBytePerSegment(ServerSocket relay, InetSocketAddress target) {
        try (Socket client = relay.accept(); Socket lb = new Socket()) {
            lb.setTcpNoDelay(true);
            lb.connect(target);
            Thread back = new Thread(() -> copy(lb, client));
            back.setDaemon(true);
            back.start();
            InputStream in = client.getInputStream();
            OutputStream out = lb.getOutputStream();
            int n = 0;
            for (int b; (b = in.read()) >= 0; n++) {
                out.write(b);
                out.flush();
                if (n < 600) {
                    Thread.sleep(1);
                }
            }
        } catch (IOException | InterruptedException e) {
            // the test sees the outcome on the client side
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed
        }
    }

    private Socket plain() throws IOException {
        InetSocketAddress at = lb.frontend("mqtts").boundAddresses().get(0);
        Socket s = new Socket();
        s.setSoTimeout((int) WAIT.toMillis());
        s.connect(at);
        return s;
    }

    /** Reads until the balancer closes the connection (an alert may come first). */
    private static void drain(InputStream in) {
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // discard
            }
        } catch (IOException reset) {
            // closed with unread input: a reset
        }
    }
}
