package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.config.Rebalance;
import lb.core.model.Server;
import lb.core.proxy.ProxyFormat;
import lb.examples.broker.FakeBroker;

/** Each key the gateway newly wires to the library changes what the gateway does. */
class GatewayKeysTest {

    private interface Body {
        void run(LoadBalancer lb, InetSocketAddress front) throws Exception;
    }

    private static void withGateway(String extraFlags, Body body) throws Exception {
        try (FakeBroker a = new FakeBroker("a").start()) {
            List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--event-loops", "1",
                    "--server", "a=127.0.0.1:" + a.address().getPort() + ",weight=100"));
            if (!extraFlags.isEmpty()) {
                args.addAll(List.of(extraFlags.split(" ")));
            }
            GatewayOptions o = GatewayOptions.parse(args.toArray(new String[0]));
            LoadBalancer lb = GatewaySetup.builder(o).build().start();
            try {
                body.run(lb, lb.frontend("mqtt").boundAddresses().get(0));
            } finally {
                lb.close();
            }
        }
    }

    @Test
    void theClientIdConnectionRateRefusesAReconnectLoopWithConnack0x9F() throws Exception {
        withGateway("--health none --max-key-connection-rate 2", (lb, front) -> {
            for (int i = 0; i < 2; i++) {
                try (WireClient w = new WireClient(front)) {
                    assertEquals(0, w.connect("looping", 5));
                }
            }
            try (WireClient w = new WireClient(front)) {
                assertEquals(0x9F, w.connect("looping", 5), "MQTT 5 'connection rate exceeded'");
            }
            try (WireClient w = new WireClient(front)) {
                assertEquals(0, w.connect("another", 5), "other client ids are not limited");
            }
        });
    }

    @Test
    void rebalanceOnAddMovesHalfTheClientsToABrokerAddedByAReloadAtTheGivenPace() throws Exception {
        try (FakeBroker a = new FakeBroker("a").start(); FakeBroker b = new FakeBroker("b").start()) {
            List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--event-loops", "1",
                    "--health-interval", "100ms", "--rebalance-on-add", "--rebalance-tolerance", "0.2",
                    "--rebalance-rate", "50", "--server", "a=127.0.0.1:" + a.address().getPort()));
            try (LoadBalancer lb = GatewaySetup.builder(GatewayOptions.parse(args.toArray(new String[0]))).build().start()) {
                InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
                List<WireClient> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 20; i++) {
                        WireClient w = new WireClient(front);
                        clients.add(w);
                        assertEquals(0, w.connect("moving-" + i, 5));
                    }
                    args.addAll(List.of("--server", "b=127.0.0.1:" + b.address().getPort()));
                    lb.apply(GatewaySetup.builder(GatewayOptions.parse(args.toArray(new String[0]))));
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (lb.stats().backend("brokers").rebalance() == null
                            || lb.stats().backend("brokers").rebalance().running()) {
                        assertTrue(System.nanoTime() < deadline, "no rebalance by itself: " + lb.stats().backend("brokers"));
                        Thread.sleep(20);
                    }
                    assertEquals(Rebalance.of(0.2, 50), lb.backend("brokers").policy().rebalanceOnAdd());
                    var done = lb.stats().backend("brokers").rebalance();
                    assertEquals("added: b", done.cause());
                    assertEquals(10, done.planned(), "half of the 20 go to b");
                    assertEquals(10, done.moved());
                    assertEquals(50, done.clientsPerSecond());
                    while (lb.backend("brokers").server("a").connections() > 10) { // moved tunnels end cleanly first
                        assertTrue(System.nanoTime() < deadline, "a still holds " + lb.backend("brokers").server("a").connections());
                        Thread.sleep(20);
                    }
                } finally {
                    for (WireClient w : clients) {
                        w.close();
                    }
                }
            }
        }
    }

    @Test
    void reusePortLetsASecondGatewayShareTheListenAddressAndTheKernelSpreadsClientsOverBoth() throws Exception {
        withGateway("--health none --reuse-port --stickiness hash", (lb, front) -> {
            String shared = "127.0.0.1:" + front.getPort();
            GatewayOptions second = GatewayOptions.parse(new String[] {"--listen", shared, "--event-loops", "1",
                    "--server", "a=" + lb.backend("brokers").servers().get(0).address().getHostString() + ":"
                            + lb.backend("brokers").servers().get(0).address().getPort(),
                    "--health", "none", "--reuse-port", "--stickiness", "hash"});
            try (LoadBalancer other = GatewaySetup.builder(second).build().start()) {
                List<WireClient> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 40; i++) {
                        WireClient w = new WireClient(front);
                        clients.add(w);
                        assertEquals(0, w.connect("spread-" + i, 4));
                    }
                    int first = lb.frontend("mqtt").connections();
                    int next = other.frontend("mqtt").connections();
                    assertEquals(40, first + next, "every client is served by one of the two");
                    assertTrue(first > 0 && next > 0, "the kernel spread them: " + first + " and " + next);
                } finally {
                    for (WireClient w : clients) {
                        w.close();
                    }
                }
            }
        });
        withGateway("--health none", (lb, front) -> {
            GatewayOptions second = GatewayOptions.parse(new String[] {"--listen", "127.0.0.1:" + front.getPort(),
                    "--event-loops", "1", "--server", "a=127.0.0.1:1", "--health", "none"});
            RuntimeException refused = assertThrows(RuntimeException.class, () -> GatewaySetup.builder(second).build().start(),
                    "without --reuse-port the address is the first gateway's alone");
            assertTrue(String.valueOf(refused.getMessage()).contains("cannot listen"), refused.toString());
        });
    }

    @Test
    void aConnectLargerThanTheLimitGetsPacketTooLarge() throws Exception {
        withGateway("--health none --max-connect-packet 1000", (lb, front) -> {
            try (WireClient w = new WireClient(front)) {
                assertEquals(0, w.connect("small", 5, 500));
            }
            try (WireClient w = new WireClient(front)) {
                assertEquals(0x95, w.connect("large", 5, 2000), "MQTT 5 'packet too large'");
            }
        });
        withGateway("--health none", (lb, front) -> {
            try (WireClient w = new WireClient(front)) {
                assertEquals(0, w.connect("large", 5, 2000), "without the key the same CONNECT passes");
            }
        });
    }

    @Test
    void closeOnDownEndsTheTunnelsOfAServerMarkedDown() throws Exception {
        for (boolean close : new boolean[] {true, false}) {
            withGateway("--health tcp --health-interval 1h" + (close ? " --close-on-down" : ""), (lb, front) -> {
                try (WireClient w = new WireClient(front)) {
                    assertEquals(0, w.connect("held", 4));
                    Server a = lb.backend("brokers").server("a");
                    lb.backend("brokers").forceHealth(a, false, "test");
                    boolean alive = true;
                    for (int i = 0; i < 50 && alive; i++) {
                        alive = w.ping();
                        Thread.sleep(close ? 20 : 2);
                    }
                    assertEquals(!close, alive, close ? "closed on down" : "kept without the key");
                }
            });
        }
    }

    @Test
    void slowStartRampsARecoveredServersWeight() throws Exception {
        withGateway("--health tcp --health-interval 1h --slow-start 1m", (lb, front) -> {
            Server a = lb.backend("brokers").server("a");
            downThenUp(lb, a);
            assertTrue(a.isWarmingUp());
            assertTrue(a.weight() < 100, "weight " + a.weight() + " while warming up");
        });
        withGateway("--health tcp --health-interval 1h", (lb, front) -> {
            Server a = lb.backend("brokers").server("a");
            downThenUp(lb, a);
            assertFalse(a.isWarmingUp());
            assertEquals(100, a.weight());
        });
    }

    /** Forces the server down, then up, each applied on its loop (bounded waits). */
    private static void downThenUp(LoadBalancer lb, Server a) throws InterruptedException {
        lb.backend("brokers").forceHealth(a, false, "test");
        for (int i = 0; i < 200 && a.isUp(); i++) {
            Thread.sleep(10);
        }
        assertFalse(a.isUp());
        lb.backend("brokers").forceHealth(a, true, "test");
        for (int i = 0; i < 200 && !a.isUp(); i++) {
            Thread.sleep(10);
        }
        assertTrue(a.isUp());
    }

    @Test
    void aQueueOfZeroRefusesAtOnceWhenEveryServerIsFull() throws Exception {
        try (FakeBroker a = new FakeBroker("a").start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {"--listen", "127.0.0.1:0", "--health", "none",
                    "--server", "a=127.0.0.1:" + a.address().getPort() + ",maxconn=1", "--max-queue", "0",
                    "--queue-timeout", "30s"});
            LoadBalancer lb = GatewaySetup.builder(o).build().start();
            InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
            try (WireClient first = new WireClient(front); WireClient second = new WireClient(front)) {
                assertEquals(0, first.connect("first", 5));
                long start = System.nanoTime();
                assertNotEquals(0, second.connect("second", 5));
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused without waiting in a queue");
            } finally {
                lb.close();
            }
        }
    }

    @Test
    void healthChecksSendProxyWhenEveryServerGetsIt() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1884,proxy=v2",
                "--server", "b=127.0.0.1:1885,proxy=v2", "--observe-failed-connects", "2"});
        assertEquals(ProxyFormat.V2, GatewaySetup.healthProxy(o));
        LoadBalancer lb = GatewaySetup.builder(o).build();
        try {
            assertEquals(ProxyFormat.V2, lb.backend("brokers").healthCheck().sendProxy());
            assertEquals(2, lb.backend("brokers").healthCheck().observeFailedConnects());
        } finally {
            lb.close();
        }
        o = GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1884,proxy=v2", "--server", "b=127.0.0.1:1885"});
        assertEquals(null, GatewaySetup.healthProxy(o), "a server without PROXY would refuse a check with one");
        o = GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1884", "--health-send-proxy", "v1"});
        assertEquals(ProxyFormat.V1, GatewaySetup.healthProxy(o));
    }

    @Test
    void theConnectionLogWritesALinePerTunnel() throws Exception {
        AtomicInteger lines = new AtomicInteger();
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                if (m != null && m.contains("conn-log-client")) {
                    lines.incrementAndGet();
                    seen.add(m);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(counter);
        Consumer<Boolean> run = on -> {
            try {
                withGateway("--health none" + (on ? " --connection-log" : ""), (lb, front) -> {
                    for (int i = 0; i < 5; i++) {
                        try (WireClient w = new WireClient(front)) {
                            assertEquals(0, w.connect("conn-log-client-" + i, 4));
                        }
                    }
                    for (int i = 0; i < 100 && lines.get() < (on ? 5 : 1); i++) {
                        Thread.sleep(20);
                    }
                });
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        try {
            run.accept(false);
            assertEquals(0, lines.get(), "no connection log without the key");
            run.accept(true);
            assertEquals(5, lines.get(), String.valueOf(seen));
        } finally {
            root.removeHandler(counter);
        }
    }
}
