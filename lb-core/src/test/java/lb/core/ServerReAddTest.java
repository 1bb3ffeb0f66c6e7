package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.engine.EventLoopGroup;
import lb.core.model.Server;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * Removing a server and adding it back before its drain period ends cancels the removal: its
 * tunnels stay, and it stays in the backend after the period has passed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerReAddTest {
    private static final Duration DRAIN = Duration.ofMillis(300);

    @Test
    void reAddingADrainingServerCancelsItsRemoval() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, be -> be.server("a", a.address()));
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.setSoTimeout(10_000);
            roundTrip(client, "before");
            Backend backend = lb.backend("b");

            CompletableFuture<Void> removal = backend.removeServer("a", DRAIN);
            assertTrue(backend.server("a").isBeingRemoved());
            assertEquals(removal, backend.removeServer("a", DRAIN), "removing twice is one removal");
            Server back = backend.addServer("a", a.address(), o -> o.weight(3));

            assertTrue(removal.isCancelled());
            assertThrows(CancellationException.class, removal::join);
            assertEquals(ServerState.READY, back.state());
            assertEquals(3, back.configuredWeight());
            Thread.sleep(DRAIN.toMillis() * 3); // the point: the drain period passes
            assertEquals(List.of("a"), backend.servers().stream().map(Server::name).toList());
            roundTrip(client, "after the drain period");
            assertEquals(0, log.size(), "no tunnel was closed");
            try (Socket fresh = Clients.connect(Balancers.address(lb))) {
                fresh.setSoTimeout(10_000);
                roundTrip(fresh, "new tunnels go to it");
            }
        }
    }

    @Test
    void reAddingAtAnotherAddressWhileDrainingIsRefusedWithTheReason() throws Exception {
        try (FakeServer a = FakeServer.echo("a");
             FakeServer other = FakeServer.echo("other");
             LoadBalancer lb = Balancers.start(null, be -> be.server("a", a.address()));
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.setSoTimeout(10_000);
            roundTrip(client, "a tunnel keeps it draining");
            Backend backend = lb.backend("b");
            backend.removeServer("a", Duration.ofSeconds(30));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.addServer("a", other.address(), o -> { }));
            assertTrue(e.getMessage().contains("still draining"), e.getMessage());
        }
    }

    @Test
    void aReconfigurationThatBringsTheServerBackCancelsItsRemoval() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.echo("a");
             FakeServer b = FakeServer.echo("b");
             LoadBalancer lb = LoadBalancer.builder().eventLoops(1).listener(log)
                     .backend("b", be -> be.server("a", a.address()).server("b", b.address())
                             .drainOnRemove(DRAIN))
                     .frontend("f", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"))
                     .build().start();
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.setSoTimeout(10_000);
            roundTrip(client, "hello");
            Server first = lb.backend("b").server("a");

            lb.apply(config(a, b, false)).lines();
            assertTrue(first.isBeingRemoved());
            List<String> changes = lb.apply(config(a, b, true)).lines();
            assertTrue(changes.stream().anyMatch(c -> c.contains("removal cancelled")), changes.toString());

            Thread.sleep(DRAIN.toMillis() * 3); // the point: the drain period passes
            assertEquals(first, lb.backend("b").server("a"), "the same server, not gone");
            assertEquals(0, log.count(Termination.SERVER_REMOVED));
            roundTrip(client, "still here");
        }
    }

    private static LoadBalancerBuilder config(FakeServer a, FakeServer b, boolean withA) {
        return LoadBalancer.builder().eventLoops(1)
                .backend("b", be -> {
                    if (withA) {
                        be.server("a", a.address());
                    }
                    be.server("b", b.address()).drainOnRemove(DRAIN);
                })
                .frontend("f", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("b"));
    }

    private static void roundTrip(Socket c, String line) throws Exception {
        c.getOutputStream().write(Clients.ascii(line + "\n"));
        assertEquals(line, Clients.readLine(c.getInputStream()));
    }

    /**
     * Counter slots belong to one balancer and come back when a server is gone: adding and
     * removing a server many times reuses one slot, and a newcomer starts from zero counts.
     */
    @Test
    void aRemovedServersCounterSlotIsReusedAndStartsFromZero() throws Exception {
        try (FakeServer a = FakeServer.echo("a");
             FakeServer c = FakeServer.echo("c");
             LoadBalancer lb = Balancers.start(null, be -> be.server("a", a.address()))) {
            Backend backend = lb.backend("b");
            int firstSlot = -1;
            for (int i = 0; i < 50; i++) {
                Server added = backend.addServer("c", c.address(), o -> { });
                if (i == 0) {
                    firstSlot = EngineAccess.live(added).slot();
                    backend.server("a").state(ServerState.MAINTENANCE);
                    try (Socket client = Clients.connect(Balancers.address(lb))) {
                        client.setSoTimeout(10_000);
                        roundTrip(client, "through c");
                    }
                    backend.server("a").state(ServerState.READY);
                } else {
                    assertEquals(firstSlot, EngineAccess.live(added).slot(), "round " + i + " reuses the slot");
                    assertEquals(0, lb.stats().backend("b").server("c").traffic().totalConnections(),
                            "round " + i + ": a newcomer does not inherit counts");
                }
                backend.removeServer("c", Duration.ZERO).get(10, TimeUnit.SECONDS);
                for (var loop : EngineAccess.loops(lb).loops()) {
                    EventLoopGroup.onLoop(loop, () -> null); // the loops cleared the slot
                }
            }
        }
    }
}
