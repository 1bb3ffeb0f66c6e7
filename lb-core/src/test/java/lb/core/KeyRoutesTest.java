package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.config.KeyRoute;
import lb.core.model.TunnelEvent;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.LineKey;

/**
 * Key routes send a tunnel to another backend than its frontend's by its key: first match in
 * order, the frontend's backend for the rest and for no key; a reload re-points new tunnels.
 */
class KeyRoutesTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theFirstMatchingRouteChoosesTheBackendAndTheRestGoToTheFrontends() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer home = FakeServer.start("home", FakeServer.Mode.TAG);
             FakeServer east = FakeServer.start("east", FakeServer.Mode.TAG);
             FakeServer west = FakeServer.start("west", FakeServer.Mode.TAG);
             LoadBalancer lb = builder(log, home, east, west, List.of(
                     KeyRoute.whenKeyEndsWith(".east.example.com", "east"),
                     KeyRoute.whenKeyStartsWith("west/", "west"),
                     KeyRoute.whenKeyIs("special", "west"),
                     KeyRoute.whenKeyStartsWith("west/", "east"))).build().start()) {
            InetSocketAddress at = lb.frontend("f").boundAddresses().get(0);
            assertEquals("east", serverFor(at, "a.east.example.com"));
            assertEquals("west", serverFor(at, "west/sensor-1"), "the first match wins");
            assertEquals("west", serverFor(at, "special"));
            assertEquals("home", serverFor(at, "specials"));
            assertEquals("home", serverFor(at, "east.example.com"), "a suffix is matched as written");
            TunnelEvent e = log.next(WAIT);
            assertEquals("east", e.backend());
        }
    }

    @Test
    void aReloadRePointsNewTunnels() throws Exception {
        try (FakeServer home = FakeServer.start("home", FakeServer.Mode.TAG);
             FakeServer east = FakeServer.start("east", FakeServer.Mode.TAG);
             FakeServer west = FakeServer.start("west", FakeServer.Mode.TAG);
             LoadBalancer lb = builder(null, home, east, west, List.of(KeyRoute.whenKeyStartsWith("t1/", "east")))
                     .build().start()) {
            InetSocketAddress at = lb.frontend("f").boundAddresses().get(0);
            assertEquals("east", serverFor(at, "t1/x"));
            List<String> changes = lb.apply(builder(null, home, east, west, List.of(KeyRoute.whenKeyStartsWith("t1/", "west"))))
                    .lines();
            assertTrue(changes.stream().anyMatch(l -> l.contains("frontend f policy updated")), changes.toString());
            assertEquals("west", serverFor(at, "t1/x"));
        }
    }

    @Test
    void aRouteToAnUnknownBackendIsRefusedAtBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadBalancer.builder()
                .backend("home", b -> b.server("h", new InetSocketAddress("127.0.0.1", 1)))
                .frontend("f", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("home")
                        .keyExtractor(new LineKey()).route(KeyRoute.parse("*.a.example.com", "nowhere")))
                .build());
        assertEquals("frontend 'f': route *.a.example.com -> nowhere: unknown backend 'nowhere' (known: [home])",
                e.getMessage());
    }

    @Test
    void patternsParseAsTheGatewayWritesThem() {
        assertEquals(KeyRoute.whenKeyEndsWith(".a.example.com", "a"), KeyRoute.parse("*.a.example.com", "a"));
        assertEquals(KeyRoute.whenKeyStartsWith("tenant-a/", "a"), KeyRoute.parse("tenant-a/*", "a"));
        assertEquals(KeyRoute.whenKeyIs("exact", "a"), KeyRoute.parse("exact", "a"));
        assertEquals(KeyRoute.whenKeyIs("*", "a"), KeyRoute.parse("*", "a"));
        assertFalse(KeyRoute.parse("tenant-a/*", "a").matches(null));
    }

    private static LoadBalancerBuilder builder(EventLog log, FakeServer home, FakeServer east, FakeServer west,
                                               List<KeyRoute> routes) {
        LoadBalancerBuilder b = LoadBalancer.builder().eventLoops(1);
        if (log != null) {
            b.listener(log);
        }
        return b.backend("home", x -> x.server("home", home.address()))
                .backend("east", x -> x.server("east", east.address()))
                .backend("west", x -> x.server("west", west.address()))
                .frontend("f", f -> {
                    f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("home").keyExtractor(new LineKey());
                    routes.forEach(f::route);
                });
    }

    private static String serverFor(InetSocketAddress at, String key) throws Exception {
        try (Socket c = Clients.connect(at)) {
            c.getOutputStream().write(Clients.ascii(key + "\n"));
            return Clients.readLine(c.getInputStream());
        }
    }
}
