package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayOptionsTest {

    @Test
    void theCompactFormNamesServersAndKeepsMqttDefaults() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {
                "--listen", "127.0.0.1:11883", "--backends", "127.0.0.1:1884,127.0.0.1:1885"});
        assertFalse(o.demo);
        assertEquals(new InetSocketAddress("127.0.0.1", 11883), o.listen.get(0));
        assertEquals("broker-1", o.servers.get(0).name());
        assertEquals(1885, o.servers.get(1).address().getPort());
        assertEquals("table", o.stickiness);
        assertEquals("mqtt", o.health);
        assertTrue(o.mqttInspection);
    }

    @Test
    void fullServerSpecsCarryTheirOptions() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {
                "--server", "a=127.0.0.1:1884,weight=3,maxconn=100,source=127.0.0.2:20000-20999,proxy=v2",
                "--balancer=roundrobin", "--stickiness", "hash", "--health-interval", "500ms",
                "--client-timeout", "2m", "--accept-proxy"});
        GatewayOptions.ServerSpec a = o.servers.get(0);
        assertEquals(3, a.weight());
        assertEquals(100, a.maxConnections());
        assertEquals("127.0.0.2", a.sources().get(0)[0]);
        assertEquals("v2", a.proxy());
        assertEquals(Duration.ofMillis(500), o.healthInterval);
        assertEquals(Duration.ofMinutes(2), o.clientTimeout);
        assertTrue(o.acceptProxy);
        assertEquals("hash", o.stickiness);
    }

    @Test
    void theMemoryBudgetTakesSizesAndReachesTheLoadBalancer() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {
                "--backends", "127.0.0.1:1884", "--listen", "127.0.0.1:0", "--memory-budget", "48m",
                "--no-stats", "--health", "none"});
        assertEquals(48L << 20, o.memoryBudget);
        assertEquals(0, GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884"}).memoryBudget,
                "0: the library's default");
        assertEquals(512L << 10, GatewayOptions.parse(new String[] {
                "--backends", "127.0.0.1:1884", "--memory-budget", "512K"}).memoryBudget);
        UsageException e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {
                "--backends", "127.0.0.1:1884", "--memory-budget", "lots"}));
        assertTrue(e.getMessage().contains("not a size"), e.getMessage());
        try (var lb = GatewaySetup.builder(o).build().start()) {
            assertEquals(48L << 20, lb.stats().process().memory().budgetBytes());
        }
    }

    @Test
    void shutdownIsPacedOverAGraceByDefaultAndFlagsSetTheGraceTheRateAndTheWill() throws Exception {
        GatewayOptions defaults = GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884"});
        assertEquals(Duration.ofSeconds(20), defaults.shutdownGrace);
        assertEquals(0, defaults.shutdownRate, "spread evenly over the grace");
        assertFalse(defaults.willOnBalancerEnd);
        GatewayOptions o = GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884",
                "--shutdown-grace", "7s", "--shutdown-rate", "500", "--will-on-balancer-end"});
        assertEquals(Duration.ofSeconds(7), o.shutdownGrace);
        assertEquals(500, o.shutdownRate);
        assertTrue(o.willOnBalancerEnd);
        UsageException e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {
                "--backends", "127.0.0.1:1884", "--shutdown-rate", "-1"}));
        assertTrue(e.getMessage().startsWith("--shutdown-rate"), e.getMessage());
        assertTrue(Help.TEXT.contains("--shutdown-grace") && Help.TEXT.contains("--shutdown-rate"));
    }

    @Test
    void aConnectRateReachesEveryBroker() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1884", "--server", "b=127.0.0.1:1885",
                "--max-connect-rate", "500", "--listen", "127.0.0.1:0", "--no-stats", "--health", "none"});
        try (var lb = GatewaySetup.builder(o).build().start()) {
            assertEquals(500, lb.stats().backend("brokers").server("a").maxConnectRate());
            assertEquals(500, lb.stats().backend("brokers").server("b").maxConnectRate());
        }
    }

    @Test
    void noArgumentsMeansTheDemo() throws Exception {
        assertTrue(GatewayOptions.parse(new String[0]).demo);
    }

    @Test
    void aPropertiesFileGivesTheSameKeysAndFlagsWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.properties");
        Files.writeString(file, "server=a=127.0.0.1:1884;b=127.0.0.1:1885\nbalancer=first\nevent-loops=3\n");
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file.toString(), "--event-loops", "1"});
        assertEquals(2, o.servers.size());
        assertEquals("first", o.balancer);
        assertEquals(1, o.eventLoops, "the command line wins");
    }

    @Test
    void badFlagsAndValuesNameTheFlag() {
        fails("--nope: unknown flag", "--backends", "127.0.0.1:1884", "--nope", "1");
        fails("--balancer: 'fastest' is not one of", "--backends", "127.0.0.1:1884", "--balancer", "fastest");
        fails("--health-interval: not a duration", "--backends", "127.0.0.1:1884", "--health-interval", "soon");
        fails("--listen: expected HOST:PORT", "--listen", "localhost", "--backends", "127.0.0.1:1884");
        fails("--server a weight: 300 is out of range", "--server", "a=127.0.0.1:1884,weight=300");
        fails("--event-loops: missing value", "--backends", "127.0.0.1:1884", "--event-loops");
        fails("--stats-user and --stats-password go together", "--backends", "127.0.0.1:1884", "--stats-user", "u");
        fails("no broker given", "--listen", "127.0.0.1:1883");
    }

    @Test
    void badFlagsExitWithCode2AndAMessage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MqttGateway.run(new String[] {"--balancer", "fastest"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--balancer"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpReadsLikeAManualPage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, MqttGateway.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream())));
        String text = out.toString(StandardCharsets.UTF_8);
        for (String section : new String[] {"NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "EXAMPLES"}) {
            assertTrue(text.contains(section), section);
        }
    }

    private static void fails(String messagePart, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> GatewayOptions.parse(args));
        assertTrue(e.getMessage().contains(messagePart), "'" + e.getMessage() + "' should contain '" + messagePart + "'");
    }
}
