package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import lb.core.health.HealthCheck;
import lb.core.model.AcceptMode;
import lb.core.model.KeyExtractor;
import lb.core.model.Server;
import lb.core.stick.LruStickTable;
import lb.core.stick.StickTable;
import lb.core.testing.Await;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;
import lb.core.testing.FirstLine;

/**
 * {@link LoadBalancer#apply} beyond servers and weights: frontends and backends added and
 * removed, listen addresses moved, what it refuses (and that a refusal changes nothing), and
 * the running state it carries over: stick table entries and health.
 */
class ApplyConfigurationTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    /** Routes by the first line ("key\n"). */
    private static final KeyExtractor FIRST_LINE = FirstLine.KEY;

    private FakeServer a;
    private FakeServer b;
    private FakeServer c;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void startServers() {
        a = FakeServer.start("a", FakeServer.Mode.TAG);
        b = FakeServer.start("b", FakeServer.Mode.TAG);
        c = FakeServer.start("c", FakeServer.Mode.TAG);
    }

    @AfterEach
    void stopServers() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        a.close();
        b.close();
        c.close();
    }

    /** Two loops, backend "one" with server a, frontend "f" on {@code listen} to it. */
    private LoadBalancerBuilder base(InetSocketAddress listen, Consumer<LoadBalancerBuilder> more) {
        LoadBalancerBuilder builder = LoadBalancer.builder().eventLoops(2)
                .backend("one", be -> be.server("a", a.address()))
                .frontend("f", f -> f.listen(listen).backend("one"));
        more.accept(builder);
        return builder;
    }

    @Test
    void aBackendAndAFrontendToItAddedAtRunTimeServeAtOnceBesideTheOldOnes() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> { }).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            Socket before = connect(f);
            assertEquals("a", readTag(before));

            List<String> changes = lb.apply(base(f, x -> x
                    .backend("two", be -> be.server("c", c.address()))
                    .frontend("g", g -> g.listen(LOOPBACK_ANY_PORT).backend("two")))).lines();

            assertEquals(List.of("backend two added", "frontend g added"), changes);
            assertEquals("c", readTag(connect(bound(lb, "g"))), "the new frontend reaches the new backend");
            assertEquals("a", readTag(connect(f)), "the old frontend is as it was");
            assertEchoes(before, "the tunnel from before goes on");
        }
    }

    @Test
    void aRemovedFrontendStopsListeningWhileItsTunnelsGoOn() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> x
                .frontend("g", g -> g.listen(LOOPBACK_ANY_PORT).backend("one"))).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            InetSocketAddress g = bound(lb, "g");
            Socket throughG = connect(g);
            assertEquals("a", readTag(throughG));

            List<String> changes = lb.apply(base(f, x -> { })).lines();

            assertEquals(List.of("frontend g removed (its tunnels go on)"), changes);
            assertEquals(List.of("f"), lb.frontends().stream().map(Frontend::name).toList());
            Await.until("nothing listens on " + g, Duration.ofSeconds(5), () -> refuses(g));
            assertEchoes(throughG, "a tunnel through the removed frontend goes on");
            assertEquals("a", readTag(connect(f)));
        }
    }

    @Test
    void aFrontendMovedToAnotherAddressListensThereAndLetsTheOldOneGo() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> { }).build().start()) {
            InetSocketAddress old = bound(lb, "f");
            Socket before = connect(old);
            assertEquals("a", readTag(before));

            List<String> changes = lb.apply(base(new InetSocketAddress("127.0.0.2", 0), x -> { })).lines();

            InetSocketAddress moved = bound(lb, "f");
            assertEquals(List.of("frontend f listens on " + List.of(moved)), changes);
            assertEquals("127.0.0.2", moved.getHostString());
            assertEquals("a", readTag(connect(moved)));
            Await.until("nothing listens on " + old, Duration.ofSeconds(5), () -> refuses(old));
            assertEchoes(before, "a tunnel accepted on the old address goes on");
        }
    }

    @Test
    void namingTheAddressAFrontendGotForPortZeroKeepsItsSocket() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> { }).build().start()) {
            InetSocketAddress bound = bound(lb, "f");
            assertEquals(List.of(), lb.apply(base(bound, x -> { })).lines(), "same configuration, no change");
            assertEquals(List.of(), lb.apply(base(LOOPBACK_ANY_PORT, x -> { })).lines(), "as configured: no change either");
            assertEquals(bound, bound(lb, "f"));
            assertEquals("a", readTag(connect(bound)));
        }
    }

    @Test
    void aFrontendPointedAtAnotherBackendSendsOnlyNewClientsThere() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> x
                .backend("two", be -> be.server("c", c.address()))).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            Socket before = connect(f);
            assertEquals("a", readTag(before));

            LoadBalancerBuilder repointed = LoadBalancer.builder().eventLoops(2)
                    .backend("one", be -> be.server("a", a.address()))
                    .backend("two", be -> be.server("c", c.address()))
                    .frontend("f", fe -> fe.listen(f).backend("two"));
            assertEquals(List.of("frontend f policy updated"), lb.apply(repointed).lines());

            assertEquals("c", readTag(connect(f)));
            assertEchoes(before, "the tunnel to the old backend goes on");
        }
    }

    @Test
    void anInvalidConfigurationIsRefusedWholeAndChangesNothing() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> { }).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            // Valid changes (a new weight, a new server, a new backend and frontend) around one
            // error: a frontend naming a backend that does not exist.
            LoadBalancerBuilder invalid = LoadBalancer.builder().eventLoops(2)
                    .backend("one", be -> be.server("a", a.address(), o -> o.weight(7)).server("b", b.address()))
                    .backend("two", be -> be.server("c", c.address()))
                    .frontend("f", fe -> fe.listen(f).backend("one"))
                    .frontend("g", fe -> fe.listen(LOOPBACK_ANY_PORT).backend("missing"));

            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> lb.apply(invalid).lines());

            assertTrue(refused.getMessage().contains("unknown backend 'missing'"), refused.getMessage());
            Backend one = lb.backend("one");
            assertEquals(1, one.server("a").configuredWeight());
            assertNull(one.server("b"));
            assertEquals(List.of("one"), lb.backends().stream().map(Backend::name).toList());
            assertEquals(List.of("f"), lb.frontends().stream().map(Frontend::name).toList());
            assertEquals(List.of(f), lb.frontend("f").boundAddresses());
            for (int i = 0; i < 4; i++) {
                assertEquals("a", readTag(connect(f)), "still server a alone");
            }
        }
    }

    @Test
    void whatNeedsARestartIsReportedNotAppliedAndKeepsItsValue() throws Exception {
        try (LoadBalancer lb = base(LOOPBACK_ANY_PORT, x -> { }).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            Server serverA = lb.backend("one").server("a");
            InetSocketAddress addressOfA = serverA.address();
            LoadBalancerBuilder next = LoadBalancer.builder().eventLoops(3).bufferSize(32 * 1024)
                    .acceptMode(AcceptMode.REUSE_PORT)
                    .backend("one", be -> be.server("a", b.address()))
                    .frontend("f", fe -> fe.listen(f).backend("one"));

            List<String> changes = lb.apply(next).lines();

            assertEquals(List.of("not applied: eventLoops 3 (needs a restart)",
                    "not applied: acceptMode REUSE_PORT (needs a restart)",
                    "not applied: bufferSize 32768 (needs a restart)",
                    "not applied: server one/a address change to " + b.address()
                            + " (add it under a new name and remove the old one)"), changes);
            assertEquals(2, EngineAccess.loops(lb).loops().size());
            assertEquals(AcceptMode.HANDOFF, lb.acceptMode());
            assertEquals(16 * 1024, lb.bufferSize());
            assertSame(serverA, lb.backend("one").server("a"));
            assertEquals(addressOfA, serverA.address());
            assertEquals("a", readTag(connect(f)), "server a is still where it was");
        }
    }

    @Test
    void aStickTableKeepsItsEntriesWhenTheNewConfigurationAlsoHasOne() throws Exception {
        try (LoadBalancer lb = sticky(LOOPBACK_ANY_PORT, Duration.ofMinutes(1)).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            StickTable table = lb.backend("one").stickTable();
            String stuckTo = serverFor(f, "client-7");
            assertEquals(1, table.size());

            List<String> changes = lb.apply(sticky(f, Duration.ofMinutes(2))).lines();

            assertEquals(List.of("backend one timeouts, retries or queue updated"), changes,
                    "only the server timeout changed");
            assertSame(table, lb.backend("one").stickTable(), "the running table, not the new empty one");
            assertEquals(stuckTo, table.lookup("client-7", System.nanoTime()), "with its entries");
            for (int i = 0; i < 6; i++) {
                assertEquals(stuckTo, serverFor(f, "client-7"), "round robin alone would alternate");
            }
            Set<String> others = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                others.add(serverFor(f, "other-" + i));
            }
            assertEquals(Set.of("a", "b"), others, "new keys still spread");

            LoadBalancerBuilder withoutTable = LoadBalancer.builder().eventLoops(2)
                    .backend("one", be -> be.server("a", a.address()).server("b", b.address())
                            .serverTimeout(Duration.ofMinutes(2)))
                    .frontend("f", fe -> fe.listen(f).keyExtractor(FIRST_LINE).backend("one"));
            assertEquals(List.of("backend one stick table removed"), lb.apply(withoutTable).lines());
            assertNull(lb.backend("one").stickTable(), "a configuration without a table drops it");
        }
    }

    /** Servers a and b behind a fresh stick table, routed by the first line. */
    private LoadBalancerBuilder sticky(InetSocketAddress listen, Duration serverTimeout) {
        return LoadBalancer.builder().eventLoops(2)
                .backend("one", be -> be.server("a", a.address()).server("b", b.address())
                        .stickTable(new LruStickTable(100, Duration.ofMinutes(5), 64)).serverTimeout(serverTimeout))
                .frontend("f", fe -> fe.listen(listen).keyExtractor(FIRST_LINE).backend("one"));
    }

    @Test
    void healthStateCarriesOverWhileTheChecksStayTheSameAndRestartsFromWhatIsKnownWhenTheyChange()
            throws Exception {
        InetSocketAddress dead;
        try (ServerSocket reserve = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = (InetSocketAddress) reserve.getLocalSocketAddress();
        }
        InetSocketAddress deadAddress = dead;
        Duration interval = Duration.ofMillis(100);
        try (LoadBalancer lb = checked(deadAddress, 1, interval, LOOPBACK_ANY_PORT).build().start()) {
            InetSocketAddress f = bound(lb, "f");
            Server d = lb.backend("one").server("d");
            Await.until("d marked down", Duration.ofSeconds(5), () -> !d.isUp());
            String reason = d.healthReason();
            long changedAt = d.healthChangedAtMillis();

            assertEquals(List.of("server one/a weight 2"), lb.apply(checked(deadAddress, 2, interval, f)).lines(),
                    "the same checks: no policy change");
            assertSame(d, lb.backend("one").server("d"));
            assertFalse(d.isUp(), "still down: no fresh start for a server the checks know is dead");
            assertEquals(1, d.downTransitions());
            assertEquals(changedAt, d.healthChangedAtMillis());
            assertEquals(reason, d.healthReason());
            for (int i = 0; i < 4; i++) {
                assertEquals("a", readTag(connect(f)));
            }

            assertEquals(List.of("backend one health check changed"),
                    lb.apply(checked(deadAddress, 2, interval.dividedBy(2), f)).lines(), "new checks");
            assertFalse(d.isUp(), "new checks start from what is known");
            try (FakeServer revived = FakeServer.start("d", FakeServer.Mode.TAG, deadAddress)) {
                Await.until("d marked up by the new checks", Duration.ofSeconds(5), d::isUp);
                assertEquals(1, d.downTransitions());
            }
        }
    }

    /** Servers a (weight {@code weightOfA}) and d, checked every {@code interval}; d's address is dead. */
    private LoadBalancerBuilder checked(InetSocketAddress d, int weightOfA, Duration interval, InetSocketAddress listen) {
        HealthCheck check = HealthCheck.tcp().interval(interval).fastInterval(interval)
                .timeout(Duration.ofMillis(500)).rise(1).fall(1);
        return LoadBalancer.builder().eventLoops(2)
                .backend("one", be -> be.server("a", a.address(), o -> o.weight(weightOfA)).server("d", d)
                        .healthCheck(check))
                .frontend("f", fe -> fe.listen(listen).backend("one"));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static InetSocketAddress bound(LoadBalancer lb, String frontend) {
        return lb.frontend(frontend).boundAddresses().get(0);
    }

    /** A client kept open until the test ends. */
    private Socket connect(InetSocketAddress address) {
        Socket s = Clients.connect(address);
        clients.add(s);
        return s;
    }

    private static String readTag(Socket s) throws IOException {
        return Clients.readLine(s.getInputStream());
    }

    /** Sends a line with {@code key} first and answers the name of the server reached. */
    private static String serverFor(InetSocketAddress f, String key) throws IOException {
        try (Socket s = Clients.connect(f)) {
            s.getOutputStream().write(Clients.ascii(key + "\n"));
            return readTag(s);
        }
    }

    /** A tagging server echoes after its tag: the tunnel still carries bytes both ways. */
    private static void assertEchoes(Socket s, String message) throws IOException {
        s.getOutputStream().write(Clients.ascii("ping\n"));
        assertEquals("ping", readTag(s), message);
    }

    private static boolean refuses(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }
}
