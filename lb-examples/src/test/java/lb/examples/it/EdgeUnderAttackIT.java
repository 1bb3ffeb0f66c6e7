package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.examples.broker.FakeBroker;
import lb.examples.gateway.MqttGateway;

/**
 * The gateway as an operator runs it, in its own JVM with small memory limits
 * ({@code -Xmx256m -XX:MaxDirectMemorySize=64m}), under what the internet sends: thousands of
 * clients that send one byte and wait, thousands that send 16 KiB of a CONNECT announcing 64 KB,
 * and a stats client that sends one byte and stops. Throughout, a real CONNECT gets its CONNACK
 * within a second, no loop dies, memory stays within the budget, refusals are counted, and
 * {@code /metrics} answers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EdgeUnderAttackIT {
    private static final int ONE_BYTE_CLIENTS = 5_000;
    private static final int BIG_CONNECT_CLIENTS = 2_000;
    private static final int BIG_CONNECT_SENT = 16_385;
    private static final int BIG_CONNECT_ANNOUNCED = 65_000;
    private static final long CONNACK_WITHIN_MS = 1_000;

    private FakeBroker broker;
    private Process gateway;
    private InetSocketAddress mqtt;
    private InetSocketAddress stats;
    private final List<SocketChannel> attackers = new ArrayList<>();
    private final BlockingQueue<String> gatewayOutput = new LinkedBlockingQueue<>();
    private long slowestConnackMs;
    private int connacks;

    @BeforeEach
    void startGateway() throws Exception {
        broker = new FakeBroker("broker-a").start();
        for (int attempt = 1; gateway == null; attempt++) {
            mqtt = freeLoopbackPort();
            stats = freeLoopbackPort();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:MaxDirectMemorySize=64m", "-cp", System.getProperty("java.class.path"),
                    MqttGateway.class.getName(), "--listen", hostPort(mqtt), "--backends", hostPort(broker.address()),
                    "--stats", hostPort(stats), "--event-loops", "2", "--health", "none",
                    // attackers may wait this long: longer than the default, so they pile up
                    "--inspect-delay", "60s")
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(() -> copyLines(p.getInputStream()), "gateway-output");
            reader.setDaemon(true);
            reader.start();
            String line;
            while ((line = gatewayOutput.poll(30, TimeUnit.SECONDS)) != null && !line.contains("listening on")) {
                // startup chatter
            }
            if (line != null) {
                gateway = p;
            } else {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                if (attempt == 3) {
                    fail("the gateway did not start: " + String.join(" | ", gatewayOutput));
                }
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (SocketChannel c : attackers) {
            c.close();
        }
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(10, TimeUnit.SECONDS)) {
                gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        broker.close();
    }

    @Test
    void legitimateClientsAreServedWhileAttackersHoldThousandsOfConnections() throws Exception {
        Socket silentScrape = new Socket(stats.getAddress(), stats.getPort());
        silentScrape.getOutputStream().write('G');
        try (silentScrape) {
            metricsAnswerQuickly("with a silent stats client connected");

            for (int i = 0; i < ONE_BYTE_CLIENTS; i++) {
                SocketChannel c = SocketChannel.open(mqtt);
                c.write(ByteBuffer.wrap(new byte[] {0x10}));
                attackers.add(c);
                if (i % 1_000 == 999) {
                    legitimateConnectIsAnswered("after " + (i + 1) + " one-byte clients");
                }
            }
            legitimateConnectIsAnswered("with " + ONE_BYTE_CLIENTS + " one-byte clients waiting");

            byte[] bigStart = bigConnectStart();
            for (int i = 0; i < BIG_CONNECT_CLIENTS; i++) {
                SocketChannel c = SocketChannel.open(mqtt);
                attackers.add(c);
                try {
                    c.write(ByteBuffer.wrap(bigStart)); // blocking: all of it, unless the gateway refused us
                } catch (IOException refused) {
                    // closed for lack of memory: the answer an attacker should get
                }
                if (i % 500 == 499) {
                    legitimateConnectIsAnswered("after " + (i + 1) + " large partial CONNECTs");
                }
            }
            legitimateConnectIsAnswered("with every attacker connected");
            String metrics = metricsAnswerQuickly("under attack");

            assertEquals(2, (long) value(metrics, "lb_live_event_loops"), "no loop died");
            double budget = value(metrics, "lb_memory_budget_bytes");
            assertTrue(budget <= 32 * 1024 * 1024, "the default budget follows the 64 MiB direct limit: " + budget);
            assertTrue(value(metrics, "lb_memory_used_bytes") <= budget, "memory stays within the budget");
            assertTrue(value(metrics, "lb_memory_refusals_total") > 0, "some large CONNECTs were refused for memory");
            // a refused client gets its CONNACK, then a second to read it before the close is counted
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sumOf(metrics, "termination=\"memory_exhausted\"") == 0 && System.nanoTime() < deadline) {
                metrics = metrics("while refusals linger");
            }
            assertTrue(sumOf(metrics, "termination=\"memory_exhausted\"") > 0,
                    "refusals are counted as memory_exhausted terminations");
            assertTrue(gateway.isAlive(), "the gateway still runs");
            System.out.printf("under attack: budget %.0f B, used %.0f B, %.0f memory refusals, %.0f memory_exhausted "
                    + "terminations; %d legitimate CONNACKs, the slowest after %d ms%n", budget,
                    value(metrics, "lb_memory_used_bytes"), value(metrics, "lb_memory_refusals_total"),
                    sumOf(metrics, "termination=\"memory_exhausted\""), connacks, slowestConnackMs);

            for (SocketChannel c : attackers) {
                c.close();
            }
            attackers.clear();
            // 7,000 clients leaving at once is a storm of its own: measure once the gateway has seen them go
            long drained = System.nanoTime() + 30_000_000_000L;
            while (value(metrics("while attackers leave"), "lb_current_connections") > 0
                    && System.nanoTime() < drained) {
                Thread.sleep(100); // polling the gateway's own gauge
            }
            legitimateConnectIsAnswered("after the attack");
            metrics = metricsAnswerQuickly("after the attack");
            assertEquals(2, (long) value(metrics, "lb_live_event_loops"));
        }
    }

    /** A CONNECT (MQTT 3.1.1) that announces {@link #BIG_CONNECT_ANNOUNCED} bytes, cut after {@link #BIG_CONNECT_SENT}. */
    private static byte[] bigConnectStart() {
        byte[] b = new byte[BIG_CONNECT_SENT];
        int n = BIG_CONNECT_ANNOUNCED;
        int i = 0;
        b[i++] = 0x10;
        do {
            int digit = n % 128;
            n /= 128;
            b[i++] = (byte) (n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        byte[] header = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60};
        System.arraycopy(header, 0, b, i, header.length);
        i += header.length;
        int idLength = BIG_CONNECT_ANNOUNCED - header.length - 2;
        b[i++] = (byte) (idLength >> 8);
        b[i++] = (byte) idLength;
        for (; i < b.length; i++) {
            b[i] = 'x';
        }
        return b;
    }

    private void legitimateConnectIsAnswered(String when) throws IOException {
        long start = System.nanoTime();
        try (RawMqtt client = RawMqtt.connectTo(mqtt)) {
            client.send(RawMqtt.connect("legit-" + start, RawMqtt.CLEAN_SESSION, 30));
            byte[] connack = client.read(4);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0x20, connack[0] & 0xFF, when + ": a CONNACK");
            assertEquals(0, connack[3], when + ": accepted");
            assertTrue(ms < CONNACK_WITHIN_MS, when + ": CONNACK after " + ms + " ms");
            slowestConnackMs = Math.max(slowestConnackMs, ms);
            connacks++;
        }
    }

    private String metricsAnswerQuickly(String when) throws IOException {
        long start = System.nanoTime();
        String metrics = metrics(when);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 1_000, when + ": /metrics took " + ms + " ms");
        return metrics;
    }

    private String metrics(String when) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(5_000);
            s.connect(stats, 5_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), when + ": " + response.lines().findFirst().orElse(""));
            return response;
        }
    }

    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), name + " in /metrics");
        return Double.parseDouble(m.group(1));
    }

    private static double sumOf(String metrics, String labelled) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("#") && line.contains(labelled)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private void copyLines(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                gatewayOutput.offer(line);
                if (line.contains("OutOfMemoryError") || line.contains("event_loop_failed")) {
                    System.err.println("gateway: " + line);
                }
            }
        } catch (IOException e) {
            // the gateway ended
        }
    }

    private static InetSocketAddress freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
