package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import lb.core.balance.Balancer;
import lb.core.balance.ConsistentHash;
import lb.core.balance.LeastConnections;
import lb.core.balance.RendezvousHash;
import lb.core.balance.RoundRobin;
import lb.core.health.HealthCheck;
import lb.core.model.Server;
import lb.core.model.ServerState;
import lb.core.stick.LruStickTable;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * Random sequences of {@code apply()} under live tunnels: servers added, removed, re-added,
 * re-weighted and put in maintenance; balancers and stick tables with other parameters; health
 * checks on and off. After every step the running configuration is the one applied, a step that
 * changes something reports it (and one that changes nothing reports nothing), tunnels to
 * servers that stay keep working, and counter slots do not pile up.
 */
class ApplySequenceProperties {
    private static final String[] NAMES = {"s0", "s1", "s2", "s3"};
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Map<String, FakeServer> SERVERS = new LinkedHashMap<>();

    /** One server as configured. */
    record ServerConf(int weight, ServerState state) {
    }

    /** A whole configuration as values, so two steps compare with {@code equals}. */
    record Config(TreeMap<String, ServerConf> servers, String balancer, int tableCapacity, boolean checked) {
        LoadBalancerBuilder builder() {
            return LoadBalancer.builder().eventLoops(2)
                    .backend("b", be -> {
                        servers.forEach((name, s) -> be.server(name, SERVERS.get(name).address(),
                                o -> o.weight(s.weight()).state(s.state())));
                        be.balancer(factory(balancer)).drainOnRemove(Duration.ZERO);
                        if (tableCapacity > 0) {
                            be.stickTable(new LruStickTable(tableCapacity, Duration.ofMinutes(5), 64));
                        }
                        if (checked) {
                            be.healthCheck(HealthCheck.tcp().interval(Duration.ofSeconds(5)));
                        }
                    })
                    .frontend("f", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"));
        }
    }

    private static Supplier<? extends Balancer> factory(String name) {
        return switch (name) {
            case "rr" -> RoundRobin::new;
            case "lc" -> LeastConnections::new;
            case "ch100" -> () -> new ConsistentHash(100);
            case "ch200" -> () -> new ConsistentHash(200, 1.25);
            case "rh" -> () -> new RendezvousHash(1.5);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @BeforeContainer
    static void startServers() {
        for (String name : NAMES) {
            SERVERS.put(name, FakeServer.start(name, FakeServer.Mode.TAG));
        }
    }

    @AfterContainer
    static void stopServers() {
        SERVERS.values().forEach(FakeServer::close);
        SERVERS.clear();
    }

    @Provide
    Arbitrary<List<Config>> sequences() {
        Arbitrary<ServerConf> server = Combinators.combine(Arbitraries.integers().between(1, 5),
                Arbitraries.of(ServerState.READY, ServerState.READY, ServerState.MAINTENANCE, ServerState.DRAIN))
                .as(ServerConf::new);
        Arbitrary<TreeMap<String, ServerConf>> servers = Arbitraries.subsetOf(NAMES).ofMinSize(1)
                .flatMap(names -> server.list().ofSize(names.size()).map(confs -> {
                    TreeMap<String, ServerConf> m = new TreeMap<>();
                    Iterator<ServerConf> it = confs.iterator();
                    names.stream().sorted().forEach(n -> m.put(n, it.next()));
                    return m;
                }));
        Arbitrary<Config> config = Combinators.combine(servers, Arbitraries.of("rr", "lc", "ch100", "ch200", "rh"),
                Arbitraries.of(0, 100, 200), Arbitraries.of(false, true)).as(Config::new);
        return config.list().ofMinSize(2).ofMaxSize(6);
    }

    @Property(tries = 15)
    void theRunningConfigurationIsAlwaysTheLastOneApplied(@ForAll("sequences") List<Config> steps) throws Exception {
        Config current = steps.get(0);
        List<Tagged> clients = new ArrayList<>();
        try (LoadBalancer lb = current.builder().build().start()) {
            for (Config next : steps.subList(1, steps.size())) {
                refill(lb, clients);
                List<String> changes = lb.apply(next.builder()).lines();

                if (next.equals(current)) {
                    assertEquals(List.of(), changes, "nothing changed, nothing reported");
                } else {
                    assertTrue(!changes.isEmpty(), "a change is reported: " + current + " -> " + next);
                }
                reported(current, next, changes);
                running(lb, next);
                for (Tagged c : clients) {
                    if (current.servers().containsKey(c.server) && next.servers().containsKey(c.server)) {
                        c.roundTrip("after " + changes); // a server that stays keeps its tunnels
                    }
                }
                clients.removeIf(c -> !next.servers().containsKey(c.server));
                assertTrue(lb.serverSlotsInUse() <= NAMES.length * 2, "counter slots in use: " + lb.serverSlotsInUse());
                current = next;
            }
        } finally {
            for (Tagged c : clients) {
                c.socket.close();
            }
        }
    }

    /** Each kind of difference is named in the report. */
    private static void reported(Config from, Config to, List<String> changes) {
        String all = String.join("\n", changes);
        if (!from.balancer().equals(to.balancer())) {
            assertTrue(all.contains("balancer"), "balancer change reported: " + all);
        }
        if (from.tableCapacity() != to.tableCapacity()) {
            assertTrue(all.contains("stick table"), "stick table change reported: " + all);
        }
        if (from.checked() != to.checked()) {
            assertTrue(all.contains("health check"), "health check change reported: " + all);
        }
        for (String name : NAMES) {
            if (!Objects.equals(from.servers().get(name), to.servers().get(name))) {
                assertTrue(all.contains("b/" + name), "server " + name + " change reported: " + all);
            }
        }
    }

    /** What runs is what {@code next} describes. */
    private static void running(LoadBalancer lb, Config next) {
        Backend b = lb.backend("b");
        Await.until("removed servers are gone", WAIT,
                () -> b.servers().stream().map(Server::name).collect(Collectors.toSet()).equals(next.servers().keySet()));
        for (Map.Entry<String, ServerConf> e : next.servers().entrySet()) {
            Server s = b.server(e.getKey());
            assertEquals(SERVERS.get(e.getKey()).address(), s.address());
            assertEquals(e.getValue().weight(), s.configuredWeight(), e.getKey() + " weight");
            assertEquals(e.getValue().state(), s.state(), e.getKey() + " state");
        }
        assertEquals(factory(next.balancer()).get().describe(), b.policy().balancerFactory().get().describe());
        assertEquals(next.tableCapacity() == 0 ? null : next.tableCapacity(),
                b.stickTable() == null ? null : b.stickTable().capacity());
        assertEquals(next.checked(), b.healthCheck() != null);
    }

    /** Opens clients until there are four, each knowing its server by the tag it got. */
    private static void refill(LoadBalancer lb, List<Tagged> clients) throws IOException {
        for (int i = 0; clients.size() < 4 && i < 8; i++) {
            Socket s = Clients.connect(Balancers.address(lb));
            s.setSoTimeout(10_000);
            try {
                clients.add(new Tagged(s, Clients.readLine(s.getInputStream())));
            } catch (IOException refused) { // no usable server in this configuration
                s.close();
                return;
            }
        }
    }

    private record Tagged(Socket socket, String server) {
        void roundTrip(String why) throws IOException {
            socket.getOutputStream().write(Clients.ascii("ping\n"));
            assertEquals("ping", Clients.readLine(socket.getInputStream()), server + " " + why);
        }
    }
}
