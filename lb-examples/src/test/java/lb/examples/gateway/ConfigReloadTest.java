package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.core.LoadBalancer;
import lb.examples.broker.FakeBroker;

/**
 * Reload under 1,000 live tunnels: weights change, a server is added, one is drained, a frontend
 * is added; no tunnel closes, neither to the kept server nor to the draining one.
 */
class ConfigReloadTest {
    private static final int TUNNELS = 1_000;

    @TempDir
    Path dir;

    private static String config(int port, int extraPort, FakeBroker a, FakeBroker b, FakeBroker c, boolean after) {
        StringBuilder s = new StringBuilder("""
                global
                    event-loops 2
                    no-stats
                backend brokers
                    balancer roundrobin
                    stickiness none
                    health none
                """);
        s.append("    server a ").append(hostPort(a)).append(after ? " weight=3\n" : "\n");
        if (!after) {
            s.append("    server b ").append(hostPort(b)).append('\n');
        } else {
            s.append("    server c ").append(hostPort(c)).append('\n');
        }
        s.append("frontend mqtt\n    listen 127.0.0.1:").append(port).append('\n');
        if (after) {
            s.append("frontend mqtt-extra\n    listen 127.0.0.1:").append(extraPort).append('\n');
        }
        return s.toString();
    }

    private static String hostPort(FakeBroker broker) {
        return "127.0.0.1:" + broker.address().getPort();
    }

    @Test
    void reloadAppliesTheDiffAndKeepsEveryTunnelToAKeptServer() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        Path file = dir.resolve("gateway.conf");
        int port = WireClient.freePort();
        int extraPort = WireClient.freePort();
        List<WireClient> clients = new ArrayList<>();
        try (FakeBroker a = new FakeBroker("a").start(); FakeBroker b = new FakeBroker("b").start();
             FakeBroker c = new FakeBroker("c").start()) {
            Files.writeString(file, config(port, extraPort, a, b, c, false));
            String[] args = {"--config", file.toString()};
            GatewayOptions o = GatewayOptions.parse(args);
            LoadBalancer lb = GatewaySetup.builder(o).build().start();
            try {
                ConfigReloader reloader = new ConfigReloader(lb, args, o, log);
                InetSocketAddress front = new InetSocketAddress("127.0.0.1", port);
                for (int i = 0; i < TUNNELS; i++) {
                    WireClient w = new WireClient(front);
                    clients.add(w);
                    assertEquals(0, w.connect("before-" + i, 4));
                }
                int onA = lb.backend("brokers").server("a").connections();
                int onB = lb.backend("brokers").server("b").connections();
                assertEquals(TUNNELS, onA + onB);
                assertTrue(onA > 0 && onB > 0, onA + "/" + onB);

                Files.writeString(file, config(port, extraPort, a, b, c, true));
                ConfigReloader.Outcome outcome = reloader.reload("test");
                assertTrue(outcome.accepted(), outcome.json());
                String json = outcome.json();
                assertTrue(json.contains("mqtt-extra"), json);
                assertTrue(json.contains("\"c"), json);
                assertTrue(lb.backend("brokers").server("b").isBeingRemoved());
                assertEquals(3, lb.backend("brokers").server("a").configuredWeight());
                String logged = logBytes.toString(StandardCharsets.UTF_8);
                assertTrue(logged.contains("reload_applied by test: "), logged);

                // every tunnel is still alive end to end: those on a (kept) and those on b (draining)
                int alive = 0;
                for (WireClient w : clients) {
                    alive += w.ping() ? 1 : 0;
                }
                assertEquals(TUNNELS, alive);
                assertEquals(onA, lb.backend("brokers").server("a").connections());

                // new clients: a and c only, through both frontends; none to the drained b
                for (int i = 0; i < 40; i++) {
                    InetSocketAddress to = i % 2 == 0 ? front : new InetSocketAddress("127.0.0.1", extraPort);
                    WireClient w = new WireClient(to);
                    clients.add(w);
                    assertEquals(0, w.connect("after-" + i, 4));
                }
                assertEquals(onB, lb.backend("brokers").server("b").connections());
                int newOnA = lb.backend("brokers").server("a").connections() - onA;
                int newOnC = lb.backend("brokers").server("c").connections();
                assertEquals(40, newOnA + newOnC);
                // weights 3:1 over 40 picks shared by two loops, each with its own schedule: about 30
                assertTrue(newOnA >= 26 && newOnA <= 34 && newOnC > 0, newOnA + " on a, " + newOnC + " on c");

                // a broken file is refused whole; the running configuration stays
                Files.writeString(file, config(port, extraPort, a, b, c, true).replace("balancer roundrobin", "balancer fastest"));
                ConfigReloader.Outcome refused = reloader.reload("test");
                assertFalse(refused.accepted());
                assertTrue(refused.reason().contains(file + ":5: balancer: 'fastest' is not one of"), refused.reason());
                assertEquals(3, lb.backend("brokers").server("a").configuredWeight());
                assertTrue(lb.frontend("mqtt-extra") != null);
                assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("reload_refused by test: "));
            } finally {
                for (WireClient w : clients) {
                    w.close();
                }
                lb.close();
            }
        }
    }
}
