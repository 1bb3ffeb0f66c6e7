package lb.examples.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import lb.examples.broker.FakeBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(30)
class LoadCommandLineTest {
    @Test
    void everyFlagReachesTheConfig() throws Exception {
        LoadCommandLine cli = LoadCommandLine.parse("pubsub", "--target", "127.0.0.1:2883", "--mqtt=5",
                "--client-id-prefix", "p1-", "--clients", "300", "--rate", "2500.5", "--duration", "1500ms",
                "--publishers", "3", "--subscribers", "7", "--size", "128", "--qos", "1", "--messages", "40",
                "--topic", "bench/t", "--source", "127.0.0.1-3,127.0.0.9", "--source-ports", "20000-20999",
                "--threads", "3", "--keep-alive", "30s", "--connect-timeout", "2s", "--inflight", "50",
                "--time-limit", "2m", "--json", "out.json", "--quiet");
        LoadConfig c = cli.config();
        assertEquals(Scenario.PUBSUB, c.scenario());
        assertEquals(2883, c.target().getPort());
        assertEquals(5, c.mqttLevel());
        assertEquals("p1-", c.clientIdPrefix());
        assertEquals(300, c.clients());
        assertEquals(2500.5, c.rate());
        assertEquals(Duration.ofMillis(1500), c.duration());
        assertEquals(3, c.publishers());
        assertEquals(7, c.subscribers());
        assertEquals(128, c.messageSize());
        assertEquals(1, c.qos());
        assertEquals(40, c.messagesPerPublisher());
        assertEquals("bench/t", c.topicPrefix());
        assertEquals(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"),
                InetAddress.getByName("127.0.0.3"), InetAddress.getByName("127.0.0.9")), c.sourceAddresses());
        assertEquals(20000, c.sourcePortLow());
        assertEquals(20999, c.sourcePortHigh());
        assertEquals(3, c.threads());
        assertEquals(Duration.ofSeconds(30), c.keepAlive());
        assertEquals(Duration.ofSeconds(2), c.connectTimeout());
        assertEquals(50, c.maxConnectsInFlight());
        assertEquals(Duration.ofMinutes(2), c.timeLimit());
        assertEquals(Path.of("out.json"), cli.jsonFile());
        assertTrue(cli.quiet());
    }

    @Test
    void tlsFlagsReachTheConfig() throws Exception {
        LoadConfig c = LoadCommandLine.parse("connect", "--tls", "--tls-ca", "ca.pem", "--tls-sni", "mqtt.example.com",
                "--tls-cert", "client.pem", "--tls-key", "client-key.pem", "--tls-resume", "--tls-protocols", "TLSv1.3,TLSv1.2").config();
        assertEquals(new LoadTls(Path.of("ca.pem"), false, "mqtt.example.com", Path.of("client.pem"), Path.of("client-key.pem"),
                true, List.of("TLSv1.3", "TLSv1.2")), c.tls());
        LoadTls defaults = LoadCommandLine.parse("connect", "--tls", "--tls-insecure").config().tls();
        assertEquals(LoadTls.trustingAnyCertificate(), defaults);
        assertEquals(List.of("TLSv1.3"), defaults.protocols());
        assertNull(LoadCommandLine.parse("connect").config().tls());
    }

    @Test
    void defaultsDependOnTheScenario() throws Exception {
        assertEquals(0, LoadCommandLine.parse("connect").config().rate());
        assertEquals(100, LoadCommandLine.parse("churn").config().rate());
        assertEquals(1000, LoadCommandLine.parse("pubsub").config().rate());
        LoadConfig connect = LoadCommandLine.parse("connect").config();
        assertEquals(1883, connect.target().getPort());
        assertTrue(connect.target().getAddress().isLoopbackAddress());
        assertTrue(connect.timeLimit().compareTo(Duration.ofSeconds(30)) > 0);
        assertEquals(256 * 30, LoadCommandLine.parse("pubsub", "--publishers", "30").config().flatOutWindow(),
                "256 messages per publisher under way");
        assertEquals(0, LoadCommandLine.parse("pubsub", "--flat-out-window", "0").config().flatOutWindow());
        assertEquals(500, LoadCommandLine.parse("pubsub", "--flat-out-window", "500").config().flatOutWindow());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                                        | missing SCENARIO",
        "flood                                     | unknown SCENARIO 'flood'",
        "connect --bogus 1                         | unknown option --bogus",
        "connect --clients                         | --clients needs a value",
        "connect --clients many                    | --clients: 'many' is not a whole number",
        "connect --clients 0                       | --clients: must be 1-15000",
        "connect --duration 5x                     | --duration: '5x' is not a duration",
        "connect --target 10.1.2.3:1883            | --target: must be a loopback address",
        "connect --target example.org:1883         | --target: 'example.org' is not a literal IP address",
        "connect --target 127.0.0.1                | --target: '127.0.0.1' is not HOST:PORT",
        "connect --source 192.168.1.1              | --source: must be a loopback address",
        "connect --source-ports 2000-1000          | --source-ports: must be LOW-HIGH",
        "pubsub --qos 2                            | --qos: must be 0 or 1",
        "pubsub --size 8                           | --size: must be 16-",
        "connect --mqtt 3                          | --mqtt: must be 4 (3.1.1) or 5 (5.0)",
        "connect stray                             | unexpected argument 'stray'",
        "connect --tls                             | --tls-ca: needed with --tls",
        "connect --tls --tls-ca ca.pem --tls-insecure | --tls-insecure: a CA file is given",
        "connect --tls-sni mqtt.example.com        | --tls-sni needs --tls",
        "connect --tls --tls-insecure --tls-cert c.pem | --tls-cert: a client certificate needs both",
        "connect --tls --tls-insecure --tls-sni a_b | --tls-sni: 'a_b' is not a DNS host name",
        "connect --tls --tls-insecure --tls-protocols SSLv3 | --tls-protocols: must be TLSv1.3, TLSv1.2 or both",
    })
    void badArgumentsExitWithStatus2AndNameTheFlag(String line, String expected) throws Exception {
        String[] args = line.isEmpty() ? new String[0] : line.trim().split("\\s+");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LoadGenerator.runCommandLine(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains(expected), message);
        assertThrows(LoadCommandLine.UsageException.class, () -> LoadCommandLine.parse(args));
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, LoadGenerator.runCommandLine(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        String usage = out.toString(StandardCharsets.UTF_8);
        for (Scenario s : Scenario.values()) {
            assertTrue(usage.contains("  " + s.cliName() + " "), s.cliName());
        }
        assertNull(LoadCommandLine.parse("connect", "-h").config());
    }

    @Test
    void aRunPrintsTheSummaryAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("result.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (FakeBroker broker = new FakeBroker("cli-target").start()) {
            status = LoadGenerator.runCommandLine(new String[] {"connect", "--target", "127.0.0.1:" + broker.address().getPort(),
                "--clients", "50", "--threads", "2", "--json", json.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        }
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("50 started, 50 connected, 0 refused, 0 failed"), text);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("connect "), "progress line on stderr");
        String written = Files.readString(json);
        assertTrue(written.contains("\"scenario\": \"connect\""), written);
        assertTrue(written.contains("\"connected\": 50"), written);
        assertTrue(written.contains("\"clean\": true"), written);
        assertEquals(count(written, '{'), count(written, '}'));
    }

    private static long count(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }
}
