package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.core.LoadBalancer;
import lb.core.config.FrontendPolicy;
import lb.core.config.KeyRoute;
import lb.core.tls.SniPassthrough;

class ConfigFileTest {
    static final String TWO_AND_TWO = """
            # two frontends, two broker groups
            global
                event-loops 1
                connection-log
                stats 127.0.0.1:0

            backend fleet-a
                server a1 127.0.0.1:1884 weight=3 maxconn=100
                server a2 127.0.0.1:1885
                balancer roundrobin
                health tcp
                health-interval 500ms
                slow-start 30s
                observe-failed-connects 3

            backend fleet-b
                server b1 127.0.0.1:1886 proxy=v2
                stickiness none

            frontend plain
                listen 127.0.0.1:0
                inspect-delay 2s
                max-key-connection-rate 5
                backend fleet-a

            frontend legacy
                listen 127.0.0.1:0   # a second port
                accept-proxy
                backend fleet-b
            """;

    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("gateway.conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aSectionedFileDescribesSeveralFrontendsAndBackends() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file(TWO_AND_TWO).toString()});
        assertEquals(2, o.frontends.size());
        assertEquals(2, o.backends.size());
        assertEquals(1, o.eventLoops);
        assertTrue(o.connectionLog);
        GatewayOptions a = o.backends.get(0).settings();
        assertEquals("roundrobin", a.balancer);
        assertEquals(3, a.servers.get(0).weight());
        assertEquals(Duration.ofSeconds(30), a.slowStart);
        assertEquals("fleet-b", o.frontends.get(1).backend());
        assertTrue(o.frontends.get(1).settings().acceptProxy);
        assertEquals(Duration.ofSeconds(2), o.frontends.get(0).settings().inspectDelay);
        var lb = GatewaySetup.builder(o).build();
        try {
            assertEquals("fleet-a", lb.frontend("plain").backendName());
            assertEquals(2, lb.backend("fleet-a").servers().size());
            assertEquals(Duration.ofSeconds(30), lb.backend("fleet-a").healthCheck().slowStart());
            assertEquals(3, lb.backend("fleet-a").healthCheck().observeFailedConnects());
            assertTrue(lb.backend("fleet-b").stickTable() == null);
        } finally {
            lb.close();
        }
    }

    @Test
    void flagsOnTheCommandLineWinOverTheGlobalSection() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file(TWO_AND_TWO).toString(), "--event-loops", "3"});
        assertEquals(3, o.eventLoops);
    }

    @Test
    void aFrontendWithoutABackendLineUsesTheOnlyBackend() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file("""
                frontend mqtt
                    listen 127.0.0.1:0
                backend brokers
                    server b 127.0.0.1:1884
                """).toString()});
        assertEquals("brokers", o.frontends.get(0).backend());
    }

    @Test
    void errorsNameTheFileTheLineAndTheKey() throws Exception {
        Path f = file(TWO_AND_TWO.replace("inspect-delay 2s", "inspect-delay soon"));
        UsageException e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--config", f.toString()}));
        assertTrue(e.getMessage().startsWith(f + ":22: inspect-delay: not a duration"), e.getMessage());

        Path misplaced = file(TWO_AND_TWO.replace("    balancer roundrobin", "    listen 127.0.0.1:1"));
        e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--config", misplaced.toString()}));
        assertTrue(e.getMessage().contains(":10: listen: not a backend key (it belongs in a frontend section)"), e.getMessage());

        Path unknownBackend = file(TWO_AND_TWO.replace("backend fleet-b\n", "backend fleet-c\n").replace("    backend fleet-c", "    backend fleet-b"));
        e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--config", unknownBackend.toString()}));
        assertTrue(e.getMessage().contains("no backend section named 'fleet-b'"), e.getMessage());

        Path badServer = file(TWO_AND_TWO.replace("weight=3", "weight=heavy"));
        e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--config", badServer.toString()}));
        assertTrue(e.getMessage().startsWith(badServer + ":8: server a1 weight: not a number"), e.getMessage());

        Path unknownKey = file("global\n    colour blue\n" + TWO_AND_TWO);
        e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--config", unknownKey.toString()}));
        assertTrue(e.getMessage().startsWith(unknownKey + ":2: colour: unknown flag"), e.getMessage());
    }

    @Test
    void aWebSocketFrontendsBackendIsCheckedByTcpUnlessToldAndNeverByMqtt() throws Exception {
        String ws = TWO_AND_TWO.replace("    accept-proxy\n", "    websocket\n    websocket-path /mqtt\n");
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file(ws).toString()});
        GatewayOptions legacy = o.frontends.get(1).settings();
        assertTrue(legacy.webSocket);
        assertEquals("/mqtt", legacy.webSocketPath);
        assertEquals("tcp", o.backends.get(1).settings().health, "fleet-b named no health check");
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        assertEquals(0, MqttGateway.run(new String[] {"--check-config", file(ws).toString()},
                new PrintStream(report, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(report.toString(StandardCharsets.UTF_8).contains("(WebSocket /mqtt) -> backend fleet-b"),
                report.toString(StandardCharsets.UTF_8));

        Path mqttChecked = file(ws.replace("    stickiness none\n", "    stickiness none\n    health mqtt\n"));
        UsageException e = assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--config", mqttChecked.toString()}));
        assertTrue(e.getMessage().contains("backend 'fleet-b'") && e.getMessage().contains("use health tcp"), e.getMessage());

        Path uninspected = file(ws.replace("    websocket\n", "    websocket\n    no-inspection\n"));
        e = assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--config", uninspected.toString()}));
        assertTrue(e.getMessage().contains("frontend 'legacy'"), e.getMessage());
    }

    @Test
    void anSniPassthroughFrontendRoutesServerNamesToItsBackends() throws Exception {
        String text = """
                global
                    no-stats
                backend tls-brokers
                    server a 127.0.0.1:18883
                backend device-brokers
                    server d 127.0.0.1:28883
                frontend passthrough
                    listen 127.0.0.1:0
                    sni-passthrough
                    route *.devices.example.com device-brokers
                    route ops.example.com tls-brokers
                    backend tls-brokers
                """;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = MqttGateway.run(new String[] {"--check-config", file(text).toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        String shown = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, shown);
        assertTrue(shown.contains("  route *.devices.example.com -> device-brokers\n  route ops.example.com -> tls-brokers"), shown);
        assertTrue(shown.contains("backend device-brokers: balancer leastconn, stickiness table, health tcp"), shown);

        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file(text).toString()});
        try (LoadBalancer built = GatewaySetup.builder(o).build()) {
            FrontendPolicy f = built.frontend("passthrough").policy();
            assertTrue(f.keyExtractor() instanceof SniPassthrough, String.valueOf(f.keyExtractor()));
            assertEquals(List.of(KeyRoute.whenKeyEndsWith(".devices.example.com", "device-brokers"),
                    KeyRoute.whenKeyIs("ops.example.com", "tls-brokers")), f.keyRoutes());
        }

        Path terminating = file(text.replace("    sni-passthrough\n", "    sni-passthrough\n    tls-cert x.pem\n"));
        UsageException e = assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--config", terminating.toString()}));
        assertTrue(e.getMessage().contains("drop tls-cert, or sni-passthrough"), e.getMessage());
        Path unknown = file(text.replace("route ops.example.com tls-brokers", "route ops.example.com nowhere"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, MqttGateway.run(new String[] {"--check-config", unknown.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("route ops.example.com -> nowhere: unknown backend 'nowhere'"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aKeyConnectionRateOnABackendWithoutACountingTableIsRefused() throws Exception {
        Path f = file(TWO_AND_TWO.replace("    accept-proxy\n", "    accept-proxy\n    max-key-connection-rate 5\n"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MqttGateway.run(new String[] {"--check-config", f.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("frontend 'legacy': maxKeyConnectionRate needs backend 'fleet-b'"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void thePropertiesFormStillWorks() throws Exception {
        Path f = dir.resolve("gateway.properties");
        Files.writeString(f, "listen=127.0.0.1:0\nserver=a=127.0.0.1:1884;b=127.0.0.1:1885\nbalancer=first\n");
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", f.toString()});
        assertTrue(o.frontends.isEmpty());
        assertEquals(2, o.servers.size());
        assertEquals("first", o.balancer);
    }

    @Test
    void checkConfigPrintsWhatWouldRunAndExitsZero() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MqttGateway.run(new String[] {"--check-config", file(TWO_AND_TWO).toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("is valid"), text);
        assertTrue(text.contains("frontend plain: listen [/127.0.0.1:0] -> backend fleet-a"), text);
        assertTrue(text.contains("backend fleet-a: balancer roundrobin"), text);
        assertTrue(text.contains("  server a1 127.0.0.1:1884 weight 3 maxconn 100"), text);
        assertTrue(text.contains("  server b1 127.0.0.1:1886 weight 1 maxconn 0 proxy V2"), text);
    }

    @Test
    void checkConfigGivesTheReasonAndExitsTwo() throws Exception {
        Path f = file(TWO_AND_TWO.replace("health-interval 500ms", "health-interval"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = MqttGateway.run(new String[] {"--check-config", f.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(f + ":12: health-interval: missing value"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
