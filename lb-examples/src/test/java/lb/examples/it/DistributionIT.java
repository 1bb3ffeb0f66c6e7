package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lb.core.testing.Await;
import lb.examples.broker.FakeBroker;

/**
 * The packaged gateway as an operator runs it: {@code bin/mqtt-gateway --config FILE} with two
 * frontends and two backends, Paho 3.1.1 clients on one frontend and Paho 5 clients on the
 * other, each served by its own broker group; and {@code --check-config} on a good and a broken
 * file.
 */
@Timeout(120)
class DistributionIT {
    private static final Path HOME = Path.of(System.getProperty("mqtt-gateway.home", "target/mqtt-gateway"));
    private static final Path LAUNCHER = HOME.resolve("bin/mqtt-gateway");
    private static final int CLIENTS = 10;

    @TempDir
    Path dir;

    @BeforeAll
    static void theDistributionIsBuilt() {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "the launcher is a POSIX shell script");
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is missing or not executable: build it with mvn package");
    }

    private static String config(int devicesPort, int appsPort, List<String> east, List<String> west) {
        return """
                global
                    event-loops 1
                    no-stats

                backend east
                    server east-1 %s
                    server east-2 %s
                    balancer leastconn

                backend west
                    server west-1 %s
                    server west-2 %s
                    stickiness hash

                frontend devices
                    listen 127.0.0.1:%d
                    backend east

                frontend apps
                    listen 127.0.0.1:%d
                    backend west
                """.formatted(east.get(0), east.get(1), west.get(0), west.get(1), devicesPort, appsPort);
    }

    @Test
    void aConfigurationFileWithTwoFrontendsAndTwoBackendsServesPahoClients() throws Exception {
        List<FakeBroker> east = List.of(new FakeBroker("east-1").start(), new FakeBroker("east-2").start());
        List<FakeBroker> west = List.of(new FakeBroker("west-1").start(), new FakeBroker("west-2").start());
        int devicesPort = freePort();
        int appsPort = freePort();
        Path file = dir.resolve("gateway.conf");
        Files.writeString(file, config(devicesPort, appsPort, hostPorts(east), hostPorts(west)));
        Path out = dir.resolve("gateway.out");
        Process gateway = new ProcessBuilder(LAUNCHER.toString(), "--config", file.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Await.until("the gateway to listen on both frontends", Duration.ofSeconds(30),
                    () -> output(out).contains("frontend apps listening") || !gateway.isAlive());
            assertTrue(gateway.isAlive(), Files.readString(out));
            String started = Files.readString(out);
            assertTrue(started.contains("frontend devices listening on [/127.0.0.1:" + devicesPort + "] -> backend east"),
                    started);

            Set<String> devices = roundTrips(ReconnectingClient.Version.MQTT_3_1_1, devicesPort, "device-");
            Set<String> apps = roundTrips(ReconnectingClient.Version.MQTT_5, appsPort, "app-");

            assertEquals(devices, served(east), "every device on the east brokers");
            assertEquals(apps, served(west), "every app on the west brokers");
            assertTrue(east.stream().allMatch(b -> b.servedClientIds().stream().anyMatch(id -> id.startsWith("device-"))),
                    "least connections used both east brokers");
        } finally {
            gateway.destroy();
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway stops on SIGTERM");
            for (FakeBroker b : east) {
                b.close();
            }
            for (FakeBroker b : west) {
                b.close();
            }
        }
    }

    /**
     * SIGTERM, as systemd or docker stop sends it: the gateway ends its clients at the shutdown
     * rate over the grace, not all at once, and then exits.
     */
    @Test
    void sigtermEndsClientsAtTheShutdownRateAndExits() throws Exception {
        int clients = 300;
        int rate = 100;
        try (FakeBroker broker = new FakeBroker("only").start()) {
            int port = freePort();
            Path out = dir.resolve("stop.out");
            Process gateway = new ProcessBuilder(LAUNCHER.toString(), "--listen", "127.0.0.1:" + port,
                    "--backends", "127.0.0.1:" + broker.address().getPort(), "--no-stats", "--event-loops", "1",
                    "--shutdown-grace", "10s", "--shutdown-rate", String.valueOf(rate))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            List<java.nio.channels.SocketChannel> open = new java.util.ArrayList<>();
            try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                Await.until("the gateway to listen", Duration.ofSeconds(30),
                        () -> output(out).contains("listening on") || !gateway.isAlive());
                for (int i = 0; i < clients; i++) {
                    open.add(connected(new java.net.InetSocketAddress("127.0.0.1", port), "stopping-" + i));
                }
                for (java.nio.channels.SocketChannel c : open) {
                    c.configureBlocking(false);
                    c.register(selector, java.nio.channels.SelectionKey.OP_READ);
                }
                long signalled = System.nanoTime();
                gateway.destroy(); // SIGTERM
                List<Long> endedMs = new java.util.ArrayList<>();
                java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(256);
                long deadline = signalled + Duration.ofSeconds(20).toNanos();
                while (endedMs.size() < clients && System.nanoTime() < deadline) {
                    selector.select(500);
                    for (java.nio.channels.SelectionKey k : selector.selectedKeys()) {
                        sink.clear();
                        int n;
                        try {
                            n = ((java.nio.channels.SocketChannel) k.channel()).read(sink);
                        } catch (java.io.IOException reset) {
                            n = -1;
                        }
                        if (n < 0) {
                            endedMs.add((System.nanoTime() - signalled) / 1_000_000);
                            k.cancel();
                        }
                    }
                    selector.selectedKeys().clear();
                }
                assertEquals(clients, endedMs.size(), "every client ended within 20 s");
                long spreadMs = java.util.Collections.max(endedMs) - java.util.Collections.min(endedMs);
                // 300 clients at 100 a second: about 3 s, never one burst
                assertTrue(spreadMs >= 2_000, "ended over " + spreadMs + " ms");
                long[] perSecond = new long[21];
                endedMs.forEach(ms -> perSecond[(int) Math.min(20, ms / 1000)]++);
                for (long n : perSecond) {
                    assertTrue(n <= rate * 1.3, "at most about " + rate + " a second: " + java.util.Arrays.toString(perSecond));
                }
                assertTrue(gateway.waitFor(20, TimeUnit.SECONDS), "the gateway exits after its clients");
                // 128 + SIGTERM: how a JVM reports a stop by signal (the systemd unit counts it a success)
                assertEquals(143, gateway.exitValue(), output(out));
            } finally {
                gateway.destroyForcibly();
                for (java.nio.channels.SocketChannel c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    void checkConfigAcceptsAGoodFileAndRefusesABrokenOneWithItsLine() throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, config(1883, 1884, List.of("10.0.0.11:1883", "10.0.0.12:1883"), List.of("10.0.1.11:1883", "10.0.1.12:1883")));
        Process ok = new ProcessBuilder(LAUNCHER.toString(), "--check-config", good.toString())
                .redirectErrorStream(true).start();
        String okOut = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ok.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, ok.exitValue(), okOut);
        assertTrue(okOut.contains("apps") && okOut.contains("west-2"), okOut);

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, Files.readString(good).replace("stickiness hash", "stickiness sometimes"));
        Process refused = new ProcessBuilder(LAUNCHER.toString(), "--check-config", broken.toString())
                .redirectErrorStream(true).start();
        String refusedOut = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(refused.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, refused.exitValue(), refusedOut);
        assertTrue(refusedOut.contains(broken + ":13: stickiness"), refusedOut);
    }

    /** Each client subscribes to its own topic, publishes to it at QoS 1 and must get its message back. */
    private static Set<String> roundTrips(ReconnectingClient.Version version, int port, String prefix) throws Exception {
        Set<String> ids = new HashSet<>();
        String uri = "tcp://127.0.0.1:" + port;
        for (int i = 0; i < CLIENTS; i++) {
            String id = prefix + i;
            ids.add(id);
            String received = version == ReconnectingClient.Version.MQTT_3_1_1 ? roundTrip3(uri, id) : roundTrip5(uri, id);
            assertEquals("hello from " + id, received, id);
        }
        return ids;
    }

    private static String roundTrip3(String uri, String id) throws Exception {
        var paho = new org.eclipse.paho.client.mqttv3.MqttClient(uri, id,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setConnectionTimeout(10);
        BlockingQueue<String> inbox = new ArrayBlockingQueue<>(4);
        try {
            paho.connect(options);
            paho.subscribe("echo/" + id, 1, (topic, m) -> inbox.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            paho.publish("echo/" + id, ("hello from " + id).getBytes(StandardCharsets.UTF_8), 1, false);
            return inbox.poll(10, TimeUnit.SECONDS);
        } finally {
            paho.disconnect(2_000);
            paho.close(true);
        }
    }

    private static String roundTrip5(String uri, String id) throws Exception {
        var paho = new org.eclipse.paho.mqttv5.client.MqttClient(uri, id,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        var options = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
        options.setConnectionTimeout(10);
        BlockingQueue<String> inbox = new ArrayBlockingQueue<>(4);
        try {
            paho.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
                    inbox.add(new String(m.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                }

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverUri) {
                }

                @Override
                public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
                }
            });
            paho.connect(options);
            paho.subscribe("echo/" + id, 1);
            paho.publish("echo/" + id, ("hello from " + id).getBytes(StandardCharsets.UTF_8), 1, false);
            return inbox.poll(10, TimeUnit.SECONDS);
        } finally {
            paho.disconnect(2_000);
            paho.close(true);
        }
    }

    /** The client ids a broker group served, less the gateway's own health checks. */
    private static Set<String> served(List<FakeBroker> group) {
        Set<String> ids = new HashSet<>();
        for (FakeBroker b : group) {
            b.servedClientIds().stream().filter(id -> !id.startsWith("lb-check-")).forEach(ids::add);
        }
        return ids;
    }

    /** A raw MQTT 3.1.1 client through its CONNACK. */
    private static java.nio.channels.SocketChannel connected(java.net.InetSocketAddress to, String id) throws Exception {
        java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(to);
        c.write(java.nio.ByteBuffer.wrap(RawMqtt.connect(id, RawMqtt.CLEAN_SESSION, 60)));
        java.nio.ByteBuffer connack = java.nio.ByteBuffer.allocate(4);
        while (connack.hasRemaining()) {
            if (c.read(connack) < 0) {
                throw new AssertionError(id + ": closed before its CONNACK");
            }
        }
        assertEquals(0x20, connack.get(0), id + ": CONNACK");
        assertEquals(0, connack.get(3), id + ": accepted");
        return c;
    }

    private static String output(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> hostPorts(List<FakeBroker> brokers) {
        return brokers.stream().map(b -> "127.0.0.1:" + b.address().getPort()).toList();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
