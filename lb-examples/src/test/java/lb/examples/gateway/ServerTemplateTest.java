package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.examples.broker.FakeBroker;

/**
 * Brokers found by name (a Kubernetes headless service, a DNS round robin): what the name
 * resolves to is scripted, and the gateway follows it through the same diff as a reload.
 */
class ServerTemplateTest {
    private static final InetAddress ONE = literal("127.0.0.1");
    private static final InetAddress TWO = literal("127.0.0.2");

    @TempDir
    Path dir;

    private volatile InetAddress[] answer;
    private volatile UnknownHostException failure;
    private final AtomicInteger lookups = new AtomicInteger();

    private final NameResolver scripted = host -> {
        lookups.incrementAndGet();
        if (!host.equals("brokers.test")) {
            throw new UnknownHostException(host);
        }
        if (failure != null) {
            throw failure;
        }
        return answer.clone();
    };

    @Test
    void addressesThatAppearAreAddedAndTakeClientsThoseThatVanishAreDrainedAndAFailedLookupChangesNothing()
            throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        FakeBroker[] pair = brokersOnOnePort();
        try (FakeBroker one = pair[0]; FakeBroker two = pair[1]) {
            Path file = dir.resolve("gateway.conf");
            Files.writeString(file, """
                    global
                        event-loops 1
                        no-stats
                        resolve-interval 100ms
                    backend brokers
                        balancer leastconn
                        stickiness none
                        health none
                        drain-on-remove 1s
                        server-template broker brokers.test:%d
                    frontend mqtt
                        listen 127.0.0.1:0
                    """.formatted(one.address().getPort()));
            String[] args = {"--config", file.toString()};
            answer = new InetAddress[] {ONE};
            GatewayOptions o = GatewayOptions.parse(args);
            ServerTemplates templates = new ServerTemplates(scripted, log);
            try (LoadBalancer lb = GatewaySetup.builder(o, templates).build().start()) {
                ConfigReloader reloader = new ConfigReloader(lb, args, o, log, templates);
                AutoCloseable resolving = templates.start(o.resolveInterval, () -> reloader.resolved("resolve"));
                InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
                assertEquals(List.of("broker-127.0.0.1"), names(lb));
                try (WireClient first = new WireClient(front)) {
                    assertEquals(0, first.connect("first", 4));
                    assertTrue(one.servedClientIds().contains("first"));

                    // an address appears: a server for it, which takes the next client (it has the fewest)
                    answer = new InetAddress[] {TWO, ONE};
                    await("a server for the new address", () -> lb.backend("brokers").server("broker-127.0.0.2") != null);
                    await("the change logged", () -> logBytes.toString(StandardCharsets.UTF_8)
                            .contains("resolve_applied by resolve: server brokers/broker-127.0.0.2 added"));
                    try (WireClient second = new WireClient(front)) {
                        assertEquals(0, second.connect("second", 4));
                        assertTrue(two.servedClientIds().contains("second"), "the added broker takes clients");

                        // the same addresses again (in another order): nothing changes
                        int applied = count(logBytes, "resolve_applied");
                        int before = lookups.get();
                        answer = new InetAddress[] {ONE, TWO};
                        await("three more lookups", () -> lookups.get() >= before + 3);
                        assertEquals(applied, count(logBytes, "resolve_applied"));

                        // the lookup fails: the known servers stay, the failure is logged and counted
                        failure = new UnknownHostException("brokers.test: temporary failure in name resolution");
                        long failed = templates.failures();
                        await("two failed lookups", () -> templates.failures() >= failed + 2);
                        assertEquals(List.of("broker-127.0.0.1", "broker-127.0.0.2"), names(lb));
                        assertFalse(lb.backend("brokers").server("broker-127.0.0.1").isBeingRemoved());
                        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("resolve_failed server-template "
                                + "brokers/broker: brokers.test: java.net.UnknownHostException: brokers.test: temporary "
                                + "failure in name resolution; keeping 2 known address(es)"), logBytes.toString(StandardCharsets.UTF_8));

                        // an address vanishes: its server drains; its tunnel goes on, then ends at the drain's end
                        failure = null;
                        answer = new InetAddress[] {TWO};
                        Server leaving = lb.backend("brokers").server("broker-127.0.0.1");
                        await("the vanished address's server draining", leaving::isBeingRemoved);
                        assertTrue(first.ping(), "its tunnel is not cut");
                        await("the removal logged (once the diff is applied)", () -> logBytes.toString(StandardCharsets.UTF_8)
                                .contains("resolve_applied by resolve: server brokers/broker-127.0.0.1 removed after draining up to 1000 ms"));
                        await("the drained server gone", () -> lb.backend("brokers").server("broker-127.0.0.1") == null);
                        assertFalse(first.ping(), "its tunnel ended with the drain");
                        assertTrue(second.ping(), "the kept server's tunnel is untouched");
                        assertEquals(List.of("broker-127.0.0.2"), names(lb));
                    }
                } finally {
                    resolving.close();
                }
            }
        }
    }

    @Test
    void aTemplateIsParsedInHaproxysOrderAndAsAFlagAndNamesServersByAddress() throws Exception {
        Path file = dir.resolve("templates.conf");
        Files.writeString(file, """
                backend brokers
                    server-template broker 2 brokers.test:1883 weight=3 check-port=8081
                frontend mqtt
                    listen 127.0.0.1:0
                """);
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file.toString()});
        GatewayOptions.ServerTemplate t = o.backends.get(0).settings().templates.get(0);
        assertEquals("broker", t.prefix());
        assertEquals(2, t.count());
        assertEquals("brokers.test", t.host());
        assertEquals(1883, t.port());
        assertEquals(3, t.options().weight());
        assertEquals(8081, t.options().checkPort());

        answer = new InetAddress[] {literal("10.0.0.3"), literal("10.0.0.1"), literal("10.0.0.2")};
        ServerTemplates templates = new ServerTemplates(scripted, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        List<GatewayOptions.ServerSpec> servers = templates.servers("brokers", t);
        assertEquals(List.of("broker-10.0.0.1", "broker-10.0.0.2"), servers.stream().map(GatewayOptions.ServerSpec::name).toList(),
                "at most COUNT servers, in address order");
        answer = new InetAddress[] {literal("10.0.0.0"), literal("10.0.0.2")};
        assertTrue(templates.refresh());
        assertEquals(List.of("broker-10.0.0.0", "broker-10.0.0.2"),
                templates.servers("brokers", t).stream().map(GatewayOptions.ServerSpec::name).toList());
        answer = new InetAddress[] {literal("10.0.0.2"), literal("10.0.0.0"), literal("10.0.0.9")};
        assertFalse(templates.refresh(), "the servers in use are kept while their addresses are found");
        int before = lookups.get();
        templates.retain(GatewayOptions.parse(new String[] {"--server", "a=127.0.0.1:1883"}));
        assertFalse(templates.refresh());
        assertEquals(before, lookups.get(), "a template the configuration dropped is no longer looked up");
        assertEquals("broker-2001:db8::1", ServerTemplates.name("broker", literal("2001:db8::1")));
        assertEquals("broker-::1", ServerTemplates.name("broker", literal("::1")));
        assertEquals("broker-2001:db8:0:1:1:1:1:1", ServerTemplates.name("broker", literal("2001:db8:0:1:1:1:1:1")));
        assertEquals("broker-2001:0:0:1::1", ServerTemplates.name("broker", literal("2001:0:0:1:0:0:0:1")));

        GatewayOptions flags = GatewayOptions.parse(new String[] {"--server-template",
                "broker=brokers.test:1883,count=4,maxconn=100", "--resolve-interval", "30s"});
        assertEquals(4, flags.templates.get(0).count());
        assertEquals(100, flags.templates.get(0).options().maxConnections());
        assertEquals(Duration.ofSeconds(30), flags.resolveInterval);
        assertFalse(flags.demo);
        UsageException noPort = assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--server-template", "broker=brokers.test"}));
        assertTrue(noPort.getMessage().startsWith("--server-template broker: expected HOST:PORT"), noPort.getMessage());
        Files.writeString(file, "backend brokers\n    server-template broker\nfrontend mqtt\n    listen 127.0.0.1:0\n");
        UsageException incomplete = assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--config", file.toString()}));
        assertTrue(incomplete.getMessage().contains(":2: server-template: expected NAME [COUNT] HOST:PORT"),
                incomplete.getMessage());
    }

    private static List<String> names(LoadBalancer lb) {
        return lb.backend("brokers").servers().stream().map(Server::name).sorted().toList();
    }

    private static int count(ByteArrayOutputStream log, String what) {
        String text = log.toString(StandardCharsets.UTF_8);
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Two brokers on one port, at 127.0.0.1 and 127.0.0.2, as a template's addresses are. */
    private static FakeBroker[] brokersOnOnePort() throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            FakeBroker one = new FakeBroker("one", new InetSocketAddress(ONE, 0), 1).start();
            try {
                FakeBroker two = new FakeBroker("two", new InetSocketAddress(TWO, one.address().getPort()), 1).start();
                return new FakeBroker[] {one, two};
            } catch (IOException taken) {
                one.close();
            }
        }
        throw new IOException("no port free on both 127.0.0.1 and 127.0.0.2 in 10 attempts");
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
