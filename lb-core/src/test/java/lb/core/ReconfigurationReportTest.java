package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.balance.Balancer;
import lb.core.balance.ConsistentHash;
import lb.core.balance.LeastConnections;
import lb.core.health.HealthCheck;
import lb.core.stick.LruStickTable;
import lb.core.stick.StickTable;
import lb.core.testing.Balancers;
import lb.core.testing.FakeServer;

/**
 * A reconfiguration reports every difference it applies: a balancer's parameters and a stick
 * table's settings count as differences (they were once silently ignored), and a changed table
 * takes the running table's entries with it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReconfigurationReportTest {

    @Test
    void aChangedBalancerParameterIsAppliedAndReported() throws Exception {
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = start(config(a, () -> new ConsistentHash(100), null))) {
            Supplier<? extends Balancer> running = lb.backend("b").policy().balancerFactory();

            List<String> same = lb.apply(config(a, () -> new ConsistentHash(100), null)).lines();
            assertTrue(same.isEmpty(), same.toString());
            assertSame(running, lb.backend("b").policy().balancerFactory(), "alike: the running balancers stay");

            List<String> changes = lb.apply(config(a, () -> new ConsistentHash(200, 1.25), null)).lines();
            assertEquals(List.of("backend b balancer ConsistentHash(pointsPerWeight=100, loadFactor=0.0, "
                    + "whenNoKey=LeastConnections) -> ConsistentHash(pointsPerWeight=200, loadFactor=1.25, "
                    + "whenNoKey=LeastConnections)"), changes);
            assertEquals("ConsistentHash(pointsPerWeight=200, loadFactor=1.25, whenNoKey=LeastConnections)",
                    lb.backend("b").policy().balancerFactory().get().describe());

            changes = lb.apply(config(a, LeastConnections::new, null)).lines();
            assertTrue(changes.get(0).endsWith("-> LeastConnections"), changes.toString());
        }
    }

    @Test
    void aStickTableWithOtherSettingsTakesTheRunningEntriesWithIt() throws Exception {
        LruStickTable first = new LruStickTable(100, Duration.ofMinutes(5), 64);
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = start(config(a, LeastConnections::new, first))) {
            long now = EngineAccess.loops(lb).nowNs();
            for (int i = 0; i < 3; i++) {
                first.store("client-" + i, "a", now);
            }

            List<String> same = lb.apply(config(a, LeastConnections::new, new LruStickTable(100, Duration.ofMinutes(5), 64))).lines();
            assertTrue(same.isEmpty(), same.toString());
            assertSame(first, lb.backend("b").stickTable(), "alike: the running table and its entries stay");

            LruStickTable bigger = new LruStickTable(1000, Duration.ofMinutes(5), 64);
            List<String> changes = lb.apply(config(a, LeastConnections::new, bigger)).lines();
            assertEquals(1, changes.size(), changes.toString());
            assertTrue(changes.get(0).startsWith("backend b stick table LruStickTable(capacity=100"), changes.get(0));
            assertTrue(changes.get(0).endsWith("3 entries carried over"), changes.get(0));
            StickTable running = lb.backend("b").stickTable();
            assertSame(bigger, running);
            assertNotSame(first, running);
            for (int i = 0; i < 3; i++) {
                assertEquals("a", running.lookup("client-" + i, EngineAccess.loops(lb).nowNs()));
            }

            changes = lb.apply(config(a, LeastConnections::new, null)).lines();
            assertEquals(List.of("backend b stick table removed"), changes);
        }
    }

    @Test
    void droppingABackendIsReportedAsNotApplied() throws Exception {
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = start(config(a, LeastConnections::new, null)
                     .backend("spare", be -> be.server("a", a.address())))) {
            List<String> changes = lb.apply(config(a, LeastConnections::new, null)).lines();
            assertEquals(List.of("not applied: backend spare removal (a running backend stays until a restart)"),
                    changes);
            assertTrue(lb.backends().stream().anyMatch(b -> b.name().equals("spare")));

            Reconfigured typed = lb.apply(config(a, LeastConnections::new, null).maxConnections(10));
            assertEquals(List.of(new ConfigChange(false, ConfigChange.Scope.BACKEND,
                    "backend spare removal (a running backend stays until a restart)")), typed.notApplied());
            assertEquals(List.of(new ConfigChange(true, ConfigChange.Scope.GLOBAL, "maxConnections 10")),
                    typed.changes().stream().filter(ConfigChange::applied).toList());
        }
    }

    @Test
    void aServersChangedCheckPortIsReportedAsNotAppliedAndAChangedCheckPortOfTheCheckIsApplied() throws Exception {
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = start(checked(a, 0, HealthCheck.tcp()))) {
            List<String> changes = lb.apply(checked(a, 8081, HealthCheck.tcp())).lines();
            assertEquals(List.of("not applied: server b/a check port 8081 (add it under a new name and remove the old one)"),
                    changes);
            changes = lb.apply(checked(a, 0, HealthCheck.tcp().port(8082))).lines();
            assertEquals(List.of("backend b health check changed"), changes);
            assertEquals(8082, lb.backend("b").healthCheck().port());
        }
    }

    private static LoadBalancerBuilder checked(FakeServer a, int serverCheckPort, HealthCheck check) {
        return LoadBalancer.builder().eventLoops(1)
                .backend("b", be -> be.server("a", a.address(), o -> o.checkPort(serverCheckPort)).healthCheck(check))
                .frontend("f", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"));
    }

    @Test
    void aListenAddressInUseFailsTheWholeReconfigurationBeforeAnythingChanges() throws Exception {
        try (FakeServer a = FakeServer.echo("a");
             java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             LoadBalancer lb = start(config(a, LeastConnections::new, null))) {
            LoadBalancerBuilder next = LoadBalancer.builder().eventLoops(1)
                    .backend("b", be -> be.server("a", a.address(), o -> o.weight(7)))
                    .frontend("f", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"))
                    .frontend("g", f -> f.listen((java.net.InetSocketAddress) taken.getLocalSocketAddress()).backend("b"));
            java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.UncheckedIOException.class, () -> lb.apply(next).lines());
            assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
            assertEquals(1, lb.backend("b").server("a").configuredWeight(), "the weight was not changed either");
            assertEquals(1, lb.frontends().size());
        }
    }

    private static LoadBalancer start(LoadBalancerBuilder b) {
        return b.build().start();
    }

    private static LoadBalancerBuilder config(FakeServer a, Supplier<? extends Balancer> balancer, StickTable table) {
        return LoadBalancer.builder().eventLoops(1)
                .backend("b", be -> {
                    be.server("a", a.address()).balancer(balancer);
                    if (table != null) {
                        be.stickTable(table);
                    }
                })
                .frontend("f", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"));
    }
}
