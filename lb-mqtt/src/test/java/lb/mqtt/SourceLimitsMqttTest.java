package lb.mqtt;

import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.NO_PROPERTIES;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.hexOf;
import static lb.mqtt.Packets.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.config.SourceLimits;
import lb.core.model.Termination;
import lb.core.stats.Terminations;
import lb.core.testing.Await;
import lb.core.testing.Clients;
import lb.core.testing.ManualClock;

/**
 * Per-source limits in front of an MQTT broker, loopback addresses standing for client hosts:
 * a flood of silent connections from one source does not delay another client's CONNACK, and
 * refused clients get the CONNACK their version defines.
 */
class SourceLimitsMqttTest {
    private static final long CONNACK_WITHIN_MS = 100;
    private static final String ACCEPTED = "20020000";

    @Test
    void aSourceHoldingAThousandSilentConnectionsCannotDelayAnotherClientsConnack() throws Exception {
        List<Socket> silent = new ArrayList<>();
        try (Broker broker = new Broker();
             LoadBalancer lb = balancer(broker, new ManualClock(), SourceLimits.perSource().maxConnections(50), 300, false)) {
            InetSocketAddress address = lb.frontend("mqtt").boundAddresses().get(0);
            try {
                for (int i = 0; i < 1_000; i++) {
                    silent.add(Clients.connectFrom("127.0.0.2", address));
                }
                Await.until("the flood refused", Duration.ofSeconds(10),
                        () -> ends(lb).count(Termination.SOURCE_LIMITED) >= 1_000 - 50 - 2 * 64);
                long start = System.nanoTime();
                try (Socket c = Clients.connectFrom("127.1.0.1", address)) {
                    c.getOutputStream().write(connect(MQTT_311, "02", KEEP_ALIVE_60, str("thermostat-9")));
                    assertEquals(ACCEPTED, hexOf(Clients.readExactly(c.getInputStream(), 4)));
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    System.out.println("silent flood of 1,000 from one source, limit 50 per source: another client's "
                            + "CONNACK after " + ms + " ms; refused " + ends(lb).count(Termination.SOURCE_LIMITED));
                    assertTrue(ms < CONNACK_WITHIN_MS, ms + " ms");
                }
                Await.until("every refusal counted", Duration.ofSeconds(10),
                        () -> ends(lb).count(Termination.SOURCE_LIMITED) == 1_000 - 50);
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }

    @Test
    void clientsOverTheSourceRateGetConnectionRateExceededInTheirVersion() throws Exception {
        try (Broker broker = new Broker();
             LoadBalancer lb = balancer(broker, new ManualClock(),
                     SourceLimits.perSource().maxConnectionRate(2, Duration.ofSeconds(10)), 0, true)) {
            InetSocketAddress address = lb.frontend("mqtt").boundAddresses().get(0);
            assertEquals(ACCEPTED, answer(address, connect(MQTT_311, "02", KEEP_ALIVE_60, str("a")), 4));
            assertEquals(ACCEPTED, answer(address, connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("b")), 4));
            // CONNACK, length 3, session present 0, reason 0x9F "connection rate exceeded", no properties
            assertEquals("2003009f00", answer(address, connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("c")), 5));
            assertEquals("20020003", answer(address, connect(MQTT_311, "02", KEEP_ALIVE_60, str("d")), 4),
                    "3.1.1 has only 'server unavailable'");
            Await.equal(2L, Duration.ofSeconds(5), () -> ends(lb).count(Termination.SOURCE_RATE_LIMITED));
        }
    }

    @Test
    void aClientOverItsSourcesConnectionLimitGetsQuotaExceeded() throws Exception {
        try (Broker broker = new Broker();
             LoadBalancer lb = balancer(broker, new ManualClock(), SourceLimits.perSource().maxConnections(1), 0, true);
             Socket first = Clients.connectFrom("127.0.0.4", lb.frontend("mqtt").boundAddresses().get(0))) {
            InetSocketAddress address = lb.frontend("mqtt").boundAddresses().get(0);
            first.getOutputStream().write(connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("first")));
            assertEquals(ACCEPTED, hexOf(Clients.readExactly(first.getInputStream(), 4)));
            assertEquals("2003009700", answer(address, connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("second")), 5));
            // the refused tunnel ends (and is counted) once its answer is out and its client gone
            Await.equal(1L, Duration.ofSeconds(5), () -> ends(lb).count(Termination.SOURCE_LIMITED));
        }
    }

    /** The first {@code n} bytes a client from 127.0.0.4 gets after sending {@code connect}, then EOF or more. */
    private static String answer(InetSocketAddress address, byte[] connect, int n) throws IOException {
        try (Socket c = Clients.connectFrom("127.0.0.4", address)) {
            c.getOutputStream().write(connect);
            return hexOf(Clients.readExactly(c.getInputStream(), n));
        }
    }

    private static LoadBalancer balancer(Broker broker, ManualClock clock, SourceLimits limits, int maxConnections,
                                         boolean manualClock) {
        var b = LoadBalancer.builder().eventLoops(2);
        if (manualClock) {
            b.clock(clock); // rates measured on a clock that stands still: no period ends mid-test
        }
        return b.backend("brokers", be -> be.server("broker", broker.address()))
                .frontend("mqtt", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("brokers")
                        .maxConnections(maxConnections)
                        .keyExtractor(Mqtt.connectInspector().withConnackReplies(true)).sourceLimits(limits))
                .build().start();
    }

    private static Terminations ends(LoadBalancer lb) {
        return lb.stats().frontend("mqtt").traffic().ends();
    }

    /** A broker that accepts every CONNECT: answers the first bytes of each connection with CONNACK 0. */
    private static final class Broker implements AutoCloseable {
        private final ServerSocket listener;
        private final ConcurrentLinkedQueue<Socket> open = new ConcurrentLinkedQueue<>();

        Broker() throws IOException {
            listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::run, "connack-broker");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void run() {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    open.add(s);
                    s.setSoTimeout(5_000);
                    InputStream in = s.getInputStream();
                    if (in.read(new byte[512]) > 0) {
                        s.getOutputStream().write(Packets.hex(ACCEPTED));
                    }
                } catch (IOException e) {
                    // closed, or a client gone: next
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
