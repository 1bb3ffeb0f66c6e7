package lb.core.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.LoadBalancer;
import lb.core.model.RejectReason;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.stats.http.PrometheusText;
import lb.core.stats.http.StatsJson;
import lb.core.stick.LruStickTable;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.FakeServer;
import lb.core.testing.JsonSyntax;
import lb.core.testing.LineKey;

/**
 * A scripted run with known connections, bytes, rejects and a server taken down, then every
 * counter of the snapshot compared with what the clients did and saw, exactly.
 */
class StatsAccuracyTest {
    private static final Duration INSPECT_DELAY = Duration.ofMillis(300);

    /** What the clients did through one frontend or server. */
    private static final class Tally {
        long tunnels;
        long bytesIn;
        long bytesOut;
        final Map<Termination, Long> ends = new EnumMap<>(Termination.class);

        void end(Termination t) {
            ends.merge(t, 1L, Long::sum);
        }
    }

    private final EventLog log = new EventLog();
    private final Tally f = new Tally();
    private final Tally g = new Tally();
    private final Map<String, Tally> servers = Map.of("a", new Tally(), "c", new Tally());
    /** Ends counted on backend "b": tunnels that got past inspection. */
    private final Map<Termination, Long> backendEnds = new EnumMap<>(Termination.class);
    private final Set<String> storedKeys = new HashSet<>();

    @Test
    void everyCounterEqualsWhatTheClientsDid() throws Exception {
        int closedPort = closedPort();
        LruStickTable table = new LruStickTable(100, Duration.ofMinutes(1), 64);
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             FakeServer c = FakeServer.start("c", FakeServer.Mode.TAG);
             LoadBalancer lb = LoadBalancer.builder().eventLoops(2).listener(log)
                     .backend("b", b -> b.server("a", a.address(), o -> o.maxConnections(1))
                             .server("c", c.address(), o -> o.maxConnections(1))
                             .maxQueue(0).stickTable(table))
                     .backend("dead", b -> b.server("gone", new InetSocketAddress("127.0.0.1", closedPort))
                             .retries(1).redispatch(false))
                     .frontend("f", fe -> fe.listen(Balancers.ANY_LOOPBACK_PORT).backend("b")
                             .keyExtractor(new LineKey()).inspectDelay(INSPECT_DELAY))
                     .frontend("g", fe -> fe.listen(Balancers.ANY_LOOPBACK_PORT).backend("dead"))
                     .build().start()) {
            InetSocketAddress front = lb.frontend("f").boundAddresses().get(0);

            for (int i = 0; i < 6; i++) {
                serve(front, "client-" + i, 1000 * i + 17);
            }
            StatsSnapshot whileHolding = holdBothServersAndOverflow(lb, front);
            refused(front, LineKey.REJECT, Termination.INSPECT_REJECTED, false);
            refused(front, null, Termination.INSPECT_TIMEOUT, false);

            Backend b = lb.backend("b");
            long beforeDown = System.currentTimeMillis();
            b.forceHealth(b.server("a"), false, "test");
            long afterDown = System.currentTimeMillis();
            assertEquals("c", serve(front, "after-down-0", 5000));
            assertEquals("c", serve(front, "after-down-1", 10));
            b.forceHealth(b.server("c"), false, "test");
            refused(front, "nobody-home", Termination.NO_SERVER, true);

            InetSocketAddress dead = lb.frontend("g").boundAddresses().get(0);
            for (int i = 0; i < 2; i++) {
                connectFailed(dead);
            }

            StatsSnapshot s = lb.stats();
            assertFrontends(s);
            assertBackendB(s.backend("b"), table);
            assertServerA(s.backend("b").server("a"), beforeDown, afterDown);
            assertDeadBackend(s.backend("dead"));
            assertProcess(lb, s);
            assertRenderingsAgree(s);
            assertRatesCoverTheInterval(lb, whileHolding);
        }
    }

    /** Two clients fill both servers (limit 1 each, no queue), a third is refused. */
    private StatsSnapshot holdBothServersAndOverflow(LoadBalancer lb, InetSocketAddress front) throws Exception {
        StatsSnapshot s;
        Socket h1 = Clients.connect(front);
        Socket h2 = Clients.connect(front);
        try {
            assertEquals(Set.of("a", "c"), Set.of(hold(h1, "hold-1"), hold(h2, "hold-2")));

            s = lb.stats();
            assertEquals(2, s.frontend("f").traffic().connections());
            assertEquals(2, s.backend("b").traffic().connections());
            assertEquals(2, s.backend("b").traffic().maxConnections(), "the servers' limits added up");
            assertEquals(1, s.backend("b").server("a").traffic().connections());
            assertEquals(1, s.backend("b").server("c").traffic().connections());
            assertEquals(2, s.process().connections());
            assertEquals(2, s.process().tunnels());
            assertEquals(2, s.loops().stream().mapToInt(LoopStats::tunnels).sum());
            assertFalse(s.hasRates(), "a first snapshot has nothing to measure rates from");

            refused(front, "overflow", Termination.QUEUE_FULL, true);
        } finally {
            h1.close();
            h2.close();
        }
        for (TunnelEvent e : log.take(2, Duration.ofSeconds(10))) {
            assertEquals(Termination.CLIENT_CLOSED, e.termination());
            long in = e.key().length() + 1;
            long out = e.server().length() + 1 + in;
            count(servers.get(e.server()), in, out, Termination.CLIENT_CLOSED);
            count(f, in, out, Termination.CLIENT_CLOSED);
            backendEnds.merge(Termination.CLIENT_CLOSED, 1L, Long::sum);
        }
        return s;
    }

    /** Sends the key line, reads the server's tag and the echo; returns the tag. */
    private String hold(Socket client, String key) throws IOException {
        byte[] line = Clients.ascii(key + "\n");
        client.getOutputStream().write(line);
        InputStream in = client.getInputStream();
        String tag = Clients.readLine(in);
        assertArrayEquals(line, Clients.readExactly(in, line.length));
        storedKeys.add(key);
        return tag;
    }

    /** One client through frontend "f": key line and payload, echoed after the server's tag. */
    private String serve(InetSocketAddress front, String key, int payloadBytes) throws Exception {
        byte[] sent = new byte[key.length() + 1 + payloadBytes];
        System.arraycopy(Clients.ascii(key + "\n"), 0, sent, 0, key.length() + 1);
        for (int i = key.length() + 1; i < sent.length; i++) {
            sent[i] = (byte) ('a' + i % 26);
        }
        String tag;
        try (Socket s = Clients.connect(front)) {
            s.getOutputStream().write(sent);
            InputStream in = s.getInputStream();
            tag = Clients.readLine(in);
            assertArrayEquals(sent, Clients.readExactly(in, sent.length));
        }
        TunnelEvent e = log.next();
        assertEquals(Termination.CLIENT_CLOSED, e.termination());
        assertEquals(tag, e.server());
        long out = tag.length() + 1 + sent.length;
        count(f, sent.length, out, Termination.CLIENT_CLOSED);
        count(servers.get(tag), sent.length, out, Termination.CLIENT_CLOSED);
        backendEnds.merge(Termination.CLIENT_CLOSED, 1L, Long::sum);
        storedKeys.add(key);
        return tag;
    }

    /** A client refused on frontend "f" after sending {@code key} (or nothing, if null). */
    private void refused(InetSocketAddress front, String key, Termination expected, boolean reachedBackend)
            throws Exception {
        long sent = key == null ? 0 : key.length() + 1;
        try (Socket s = Clients.connect(front)) {
            if (key != null) {
                s.getOutputStream().write(Clients.ascii(key + "\n"));
            }
            assertEquals(-1, s.getInputStream().read(), "refused without a byte");
        }
        assertEquals(expected, log.next().termination());
        f.tunnels++;
        f.bytesIn += sent;
        f.end(expected);
        if (reachedBackend) {
            backendEnds.merge(expected, 1L, Long::sum);
        }
    }

    private void connectFailed(InetSocketAddress dead) throws Exception {
        try (Socket s = Clients.connect(dead)) {
            assertEquals(-1, s.getInputStream().read());
        }
        TunnelEvent e = log.next();
        assertEquals(Termination.CONNECT_FAILED, e.termination());
        assertEquals(2, e.connectAttempts());
        g.tunnels++;
        g.end(Termination.CONNECT_FAILED);
    }

    private static void count(Tally t, long in, long out, Termination end) {
        t.tunnels++;
        t.bytesIn += in;
        t.bytesOut += out;
        t.end(end);
    }

    private void assertFrontends(StatsSnapshot s) {
        assertEquals(14, f.tunnels, "the script itself: 6 served, 2 held, 4 refused, 2 after the down");
        assertTraffic("frontend f", s.frontend("f").traffic(), 0, 0, f.tunnels, f.bytesIn, f.bytesOut, 0, 0, 0, f.ends);
        assertTraffic("frontend g", s.frontend("g").traffic(), 0, 0, 2, 0, 0, 0, 0, 0, g.ends);
        assertEquals("b", s.frontend("f").backend());
        assertEquals(1, s.frontend("f").addresses().size());

        Terminations ends = s.frontend("f").traffic().ends();
        assertEquals(1, ends.rejected(RejectReason.LIMIT));
        assertEquals(1, ends.rejected(RejectReason.INSPECTOR));
        assertEquals(1, ends.rejected(RejectReason.TIMEOUT));
        assertEquals(1, ends.rejected(RejectReason.NO_SERVER));
        assertEquals(0, ends.rejected(RejectReason.CONNECT));
        assertEquals(4, ends.rejectedTotal());
        assertEquals(2, s.frontend("g").traffic().ends().rejected(RejectReason.CONNECT));
    }

    private void assertBackendB(BackendStats b, LruStickTable table) {
        Tally a = servers.get("a");
        Tally c = servers.get("c");
        assertTraffic("backend b", b.traffic(), 0, 2, a.tunnels + c.tunnels, a.bytesIn + c.bytesIn,
                a.bytesOut + c.bytesOut, 0, 0, 0, backendEnds);
        assertTraffic("server a", b.server("a").traffic(), 0, 1, a.tunnels, a.bytesIn, a.bytesOut, 0, 0, 0, a.ends);
        assertTraffic("server c", b.server("c").traffic(), 0, 1, c.tunnels, c.bytesIn, c.bytesOut, 0, 0, 0, c.ends);
        assertEquals(10, a.tunnels + c.tunnels);
        assertEquals(new QueueStats(0, 0, 0, 4, b.queue().classes()), b.queue());
        assertEquals(List.of(0), b.queue().classes().stream().map(PriorityClassStats::priority).toList(),
                "no priority rule: every tunnel in class 0");
        assertEquals(new StickTableStats(storedKeys.size(), table.capacity()), b.stickTable());
        assertEquals(10, storedKeys.size());
        assertFalse(b.healthChecked());
        assertEquals(0, b.usableServers());
        assertEquals(2, b.healthChanges().size(), "both went down after the first snapshot");
        for (HealthChange change : b.healthChanges()) {
            assertFalse(change.up());
            assertEquals("test", change.reason());
        }
        assertEquals(Set.of("a", "c"), Set.of(b.healthChanges().get(0).server(), b.healthChanges().get(1).server()));
    }

    private static void assertServerA(ServerStats a, long beforeDown, long afterDown) {
        assertFalse(a.up());
        assertFalse(a.usable());
        assertEquals(ServerState.READY, a.state());
        assertEquals("test", a.healthReason());
        assertEquals(1, a.downTransitions());
        assertTrue(a.healthChangedAtMillis() >= beforeDown && a.healthChangedAtMillis() <= afterDown);
        assertEquals(1, a.weight());
        assertEquals(1, a.configuredWeight());
        assertFalse(a.warmingUp());
        assertEquals(0, a.sourcePortsExhausted());
    }

    private void assertDeadBackend(BackendStats dead) {
        // two clients, two attempts each: four failed connects, one retry each, no redispatch
        assertTraffic("backend dead", dead.traffic(), 0, 0, 0, 0, 0, 4, 2, 0, g.ends);
        assertTraffic("server gone", dead.server("gone").traffic(), 0, 0, 0, 0, 0, 4, 2, 0, g.ends);
        assertTrue(dead.server("gone").up(), "no health check, so failed connects do not mark it down");
        assertNull(dead.stickTable());
        assertEquals(2, dead.traffic().ends().rejected(RejectReason.CONNECT));
    }

    private static void assertProcess(LoadBalancer lb, StatsSnapshot s) {
        ProcessStats p = s.process();
        assertEquals(2, p.eventLoops());
        assertEquals(0, p.connections());
        assertEquals(EngineAccess.loops(lb).limit().max(), p.maxConnections());
        assertEquals(0, p.tunnels());
        assertEquals(0, p.acceptErrors());
        assertEquals(0, p.buffersInUse(), "every buffer given back");
        assertEquals(2, s.loops().size());
        assertTrue(s.loops().stream().anyMatch(l -> l.busyNanos() > 0));
    }

    /** The Prometheus text and the JSON carry the snapshot's numbers. */
    private void assertRenderingsAgree(StatsSnapshot s) {
        Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(PrometheusText.render(s));
        assertEquals(f.tunnels, ExpositionFormat.value(m, "lb_frontend_connections_total", "frontend", "f"));
        assertEquals(f.bytesIn, ExpositionFormat.value(m, "lb_frontend_bytes_in_total", "frontend", "f"));
        assertEquals(f.bytesOut, ExpositionFormat.value(m, "lb_frontend_bytes_out_total", "frontend", "f"));
        assertEquals(1, ExpositionFormat.value(m, "lb_frontend_rejects_total", "frontend", "f", "reason", "limit"));
        assertEquals(1, ExpositionFormat.value(m, "lb_frontend_tunnels_ended_total",
                "frontend", "f", "termination", "inspect_timeout"));
        assertEquals(0, ExpositionFormat.value(m, "lb_server_up", "backend", "b", "server", "a"));
        assertEquals(1, ExpositionFormat.value(m, "lb_server_up", "backend", "dead", "server", "gone"));
        assertEquals(1, ExpositionFormat.value(m, "lb_server_state", "backend", "b", "server", "a", "state", "ready"));
        assertEquals(4, ExpositionFormat.value(m, "lb_backend_connect_errors_total", "backend", "dead"));
        assertEquals(2, ExpositionFormat.value(m, "lb_server_retries_total", "backend", "dead", "server", "gone"));
        assertEquals(10, ExpositionFormat.value(m, "lb_backend_stick_table_entries", "backend", "b"));

        Map<String, Object> json = JsonSyntax.object(JsonSyntax.parse(StatsJson.render(s)));
        List<Object> frontends = JsonSyntax.array(json.get("frontends"));
        Map<String, Object> traffic = JsonSyntax.object(JsonSyntax.object(frontends.get(0)).get("traffic"));
        assertEquals((double) f.tunnels, traffic.get("totalConnections"));
        assertEquals((double) f.bytesIn, traffic.get("bytesIn"));
        assertEquals(1.0, JsonSyntax.object(traffic.get("rejects")).get("inspector"));
        assertEquals(1.0, JsonSyntax.object(traffic.get("terminations")).get("queue_full"));
    }

    /** A snapshot over a second after the first measures rates from it: rate x interval = growth. */
    private void assertRatesCoverTheInterval(LoadBalancer lb, StatsSnapshot first) throws InterruptedException {
        long waitMs = first.takenAtMillis() + 1_100 - System.currentTimeMillis();
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
        StatsSnapshot s = lb.stats();
        assertTrue(s.intervalNanos() >= 1_000_000_000L, "measured from the first snapshot");
        double seconds = s.intervalNanos() / 1e9;
        Traffic now = s.frontend("f").traffic();
        Traffic then = first.frontend("f").traffic();
        assertEquals(now.totalConnections() - then.totalConnections(), now.connectionRate() * seconds, 1e-6);
        assertEquals(now.bytesIn() - then.bytesIn(), now.bytesInRate() * seconds, 1e-3);
        assertEquals(now.bytesOut() - then.bytesOut(), now.bytesOutRate() * seconds, 1e-3);
        for (LoopStats l : s.loops()) {
            assertTrue(l.busyRatio() >= 0 && l.busyRatio() <= 1, "busy ratio " + l.busyRatio());
        }
    }

    private static void assertTraffic(String what, Traffic t, long connections, long max, long total, long bytesIn,
                                      long bytesOut, long connectErrors, long retries, long redispatches,
                                      Map<Termination, Long> ends) {
        assertEquals(connections, t.connections(), what + " connections");
        assertEquals(max, t.maxConnections(), what + " maxConnections");
        assertEquals(total, t.totalConnections(), what + " totalConnections");
        assertEquals(bytesIn, t.bytesIn(), what + " bytesIn");
        assertEquals(bytesOut, t.bytesOut(), what + " bytesOut");
        assertEquals(connectErrors, t.connectErrors(), what + " connectErrors");
        assertEquals(retries, t.retries(), what + " retries");
        assertEquals(redispatches, t.redispatches(), what + " redispatches");
        assertEquals(new Terminations(ends), t.ends(), what + " terminations");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
