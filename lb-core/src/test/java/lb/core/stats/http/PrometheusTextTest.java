package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.ServerState;
import lb.core.stick.LruStickTable;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.ExternalTool;
import lb.core.testing.FakeServer;

/**
 * The /metrics text of a balancer whose names need escaping, read back by a strict checker of
 * the format, and by Prometheus' own {@code promtool} (skipped without it, failing under CI).
 */
class PrometheusTextTest {
    private static final String FRONTEND = "front \"door\"";
    private static final String BACKEND = "back\\end\nline";
    private static final String SERVER_QUOTE = "s\"1";
    private static final String SERVER_BACKSLASH = "s\\2";

    private static FakeServer upstream;
    private static LoadBalancer lb;
    private static String exposition;

    @BeforeAll
    static void runOneTunnel() throws Exception {
        upstream = FakeServer.echo("echo");
        EventLog log = new EventLog();
        lb = LoadBalancer.builder().eventLoops(2).maxConnections(1000).listener(log)
                .backend(BACKEND, b -> b.server(SERVER_QUOTE, upstream.address(), o -> o.maxConnections(50).weight(3))
                        .server(SERVER_BACKSLASH, upstream.address(), o -> o.state(ServerState.DRAIN))
                        .stickTable(new LruStickTable(1000, Duration.ofMinutes(1), 64)))
                .frontend(FRONTEND, f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend(BACKEND).maxConnections(100))
                .build().start();
        try (Socket s = Clients.connect(lb.frontend(FRONTEND).boundAddresses().get(0))) {
            s.getOutputStream().write(Clients.ascii("ping\n"));
            assertEquals("ping", Clients.readLine(s.getInputStream()));
        }
        log.next();
        exposition = PrometheusText.render(lb.stats());
    }

    @AfterAll
    static void stop() {
        lb.close();
        upstream.close();
    }

    @Test
    void everyLineFollowsTheFormatAndNamesComeBackUnescaped() {
        Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(exposition);
        assertEquals(1, ExpositionFormat.value(m, "lb_frontend_connections_total", "frontend", FRONTEND));
        assertEquals(5, ExpositionFormat.value(m, "lb_frontend_bytes_in_total", "frontend", FRONTEND));
        assertEquals(5, ExpositionFormat.value(m, "lb_server_bytes_out_total", "backend", BACKEND, "server", SERVER_QUOTE));
        assertEquals(1, ExpositionFormat.value(m, "lb_server_state",
                "backend", BACKEND, "server", SERVER_BACKSLASH, "state", "drain"));
        assertEquals(3, ExpositionFormat.value(m, "lb_server_weight", "backend", BACKEND, "server", SERVER_QUOTE));
        assertEquals(1000, ExpositionFormat.value(m, "lb_connections_limit"));
        assertEquals(100, ExpositionFormat.value(m, "lb_frontend_connections_limit", "frontend", FRONTEND));
        assertEquals(1, ExpositionFormat.value(m, "lb_backend_usable_servers", "backend", BACKEND));
        assertEquals(1000, ExpositionFormat.value(m, "lb_backend_stick_table_capacity", "backend", BACKEND));
        assertEquals(2, m.get("lb_loop_busy_seconds_total").samples.size(), "one per loop");
        assertEquals(1, ExpositionFormat.value(m, "lb_backend_connect_time_seconds_count", "backend", BACKEND));
        assertEquals(1, ExpositionFormat.value(m, "lb_server_connect_time_seconds_bucket",
                "backend", BACKEND, "server", SERVER_QUOTE, "le", "+Inf"));
        assertEquals(0, ExpositionFormat.value(m, "lb_server_connect_time_seconds_count",
                "backend", BACKEND, "server", SERVER_BACKSLASH));
        assertEquals(0, ExpositionFormat.value(m, "lb_backend_queue_time_seconds_count", "backend", BACKEND));
        assertEquals(1, ExpositionFormat.value(m, "lb_frontend_connections_peak", "frontend", FRONTEND));
    }

    @Test
    void histogramsHaveTheSameBucketsEverywhereWrittenPlainly() {
        Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(exposition);
        List<String> expected = List.of("0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf");
        for (String family : List.of("lb_backend_connect_time_seconds", "lb_backend_queue_time_seconds",
                "lb_server_connect_time_seconds")) {
            assertEquals("histogram", m.get(family).type, family);
            List<String> les = m.get(family).samples.stream()
                    .filter(s -> s.name().endsWith("_bucket") && BACKEND.equals(s.labels().get("backend"))
                            && !SERVER_BACKSLASH.equals(s.labels().get("server")))
                    .map(s -> s.labels().get("le")).toList();
            assertEquals(expected, les, family);
        }
    }

    @Test
    void buildInfoAndProcessStartTimeAreThere() {
        Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(exposition);
        ExpositionFormat.Sample info = m.get("lb_build_info").samples.get(0);
        assertEquals(1, info.value());
        assertEquals(Runtime.version().toString(), info.labels().get("java_version"));
        assertTrue(info.labels().get("version").matches("\\d+\\.\\d+\\.\\d+.*"),
                "the project's version, filtered in by the build: " + info);
        double started = ExpositionFormat.value(m, "process_start_time_seconds");
        double now = System.currentTimeMillis() / 1e3;
        assertTrue(started > now - 3600 && started <= now, "the JVM started within the hour: " + started);
    }

    @Test
    void countersEndInTotalAndNamesCarryTheirUnits() {
        for (ExpositionFormat.Family f : ExpositionFormat.parse(exposition).values()) {
            assertTrue(f.name.startsWith("lb_") || f.name.equals("process_start_time_seconds"), f.name);
            if (f.type.equals("counter")) {
                assertTrue(f.name.endsWith("_total"), f.name);
            }
            if (f.name.contains("bytes")) {
                assertTrue(f.name.matches(".*_bytes(_in|_out)?(_total)?"), "unit last: " + f.name);
            }
            if (f.name.contains("seconds")) {
                assertTrue(f.name.endsWith("_seconds") || f.name.endsWith("_seconds_total"), f.name);
            }
        }
    }

    @Test
    void everyServerSampleNamesItsBackendAndServer() {
        for (ExpositionFormat.Family f : ExpositionFormat.parse(exposition).values()) {
            for (ExpositionFormat.Sample s : f.samples) {
                if (f.name.startsWith("lb_server_")) {
                    assertTrue(s.labels().containsKey("backend") && s.labels().containsKey("server"), s.toString());
                } else if (f.name.startsWith("lb_backend_")) {
                    assertEquals(BACKEND, s.labels().get("backend"), s.toString());
                } else if (f.name.startsWith("lb_frontend_")) {
                    assertEquals(FRONTEND, s.labels().get("frontend"), s.toString());
                }
            }
        }
    }

    /** Needs Debian's {@code prometheus} package; skipped without it. */
    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        Path promtool = ExternalTool.require("prometheus", "promtool");
        ExternalTool.Result r = ExternalTool.run(List.of(promtool.toString(), "check", "metrics"), exposition, 60);
        assertEquals(0, r.exitCode(), "promtool check metrics said:\n" + r.output() + "\non:\n" + exposition);
        assertEquals("", r.output().strip(), "no lint remarks");
    }
}
