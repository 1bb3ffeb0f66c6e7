package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.stats.FrontendStats;
import lb.core.stats.HealthChange;
import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.stats.LoopStats;
import lb.core.stats.MemoryStats;
import lb.core.stats.ProcessStats;
import lb.core.stats.QueueStats;
import lb.core.stats.ServerStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.Terminations;
import lb.core.stats.Traffic;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.JsonSyntax;

/**
 * Names, reasons and keys are configuration or come from health checks, but the page, the JSON
 * and the metrics must stay well-formed and inert whatever they contain.
 */
class HostileNamesTest {
    private static final String BACKEND = "<script>alert('b')</script>";
    private static final String SERVER = "s\"1\\\n\u2028&amp;";
    private static final String REASON = "</td><img src=x onerror=alert(1)>";

    private static final StatsSnapshot SNAPSHOT = snapshot();

    @Test
    void thePageEscapesEverything() {
        String page = StatsPage.render(SNAPSHOT, Duration.ofSeconds(5));
        assertFalse(page.contains("<script"), "no script element");
        assertFalse(page.contains("<img"), "no injected element");
        assertTrue(page.contains("&lt;script&gt;alert(&#39;b&#39;)&lt;/script&gt;"));
        assertTrue(page.contains("data-server=\"s&quot;1\\\n\u2028&amp;amp;\""));
        assertTrue(page.contains("<meta http-equiv=\"refresh\" content=\"5\">"));
        assertFalse(StatsPage.render(SNAPSHOT, Duration.ZERO).contains("http-equiv=\"refresh\""));
    }

    @Test
    void theJsonReadsBackTheExactNames() {
        String json = StatsJson.render(SNAPSHOT);
        assertFalse(json.contains("<"), "inert even inside a page");
        Map<String, Object> root = JsonSyntax.object(JsonSyntax.parse(json));
        Map<String, Object> backend = JsonSyntax.object(JsonSyntax.array(root.get("backends")).get(0));
        assertEquals(BACKEND, backend.get("name"));
        Map<String, Object> server = JsonSyntax.object(JsonSyntax.array(backend.get("servers")).get(0));
        assertEquals(SERVER, server.get("name"));
        assertEquals(REASON, server.get("healthReason"));
        assertEquals("maintenance", server.get("state"));
        assertEquals(null, backend.get("stickTable"));
    }

    @Test
    void theMetricsReadBackTheExactNames() {
        Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(PrometheusText.render(SNAPSHOT));
        assertEquals(1, ExpositionFormat.value(m, "lb_server_state",
                "backend", BACKEND, "server", SERVER, "state", "maintenance"));
        assertEquals(7, ExpositionFormat.value(m, "lb_server_connections_total", "backend", BACKEND, "server", SERVER));
    }

    @Test
    void statusShowsWhatMattersFirst() {
        ServerStats s = SNAPSHOT.backends().get(0).servers().get(0);
        assertEquals("maint", StatsPage.status(s), "maintenance over down");
    }

    private static StatsSnapshot snapshot() {
        Terminations none = Terminations.of(new long[Termination.values().length]);
        Traffic traffic = new Traffic(1, 0, 7, 0.5, 100, 200, 10, 20, 0, 0, 0, none);
        ServerStats server = new ServerStats(SERVER, "10.0.0.1:1883", ServerState.MAINTENANCE, false, false, false,
                REASON, 1_700_000_000_000L, 2, 1, 1, 0, traffic);
        BackendStats backend = new BackendStats(BACKEND, traffic, new QueueStats(0, 0, 10, 4, List.of()), null, true,
                List.of(server), List.of(new HealthChange(BACKEND, SERVER, false, REASON, 1_700_000_000_000L)));
        FrontendStats frontend = new FrontendStats("f<", List.of("127.0.0.1:1883"), BACKEND, traffic,
                List.of(new ListenerStats("127.0.0.1:1883", 4096, OptionalLong.empty(), OptionalLong.empty())), null,
                new lb.core.stats.TlsStats(5, java.util.Map.of("not_tls", 2L, "bad_certificate", 0L)));
        ProcessStats process = new ProcessStats(1, 1, 0, 1, 0, 0, 0, 0, 16384, 0.25, 0.25, 1, 0,
                new MemoryStats(1 << 20, 0, 0, 0),
                new KernelListenStats(OptionalLong.empty(), OptionalLong.empty(), 1_700_000_005_000L, 0));
        return new StatsSnapshot(1_700_000_005_000L, 10_000_000_000L, process,
                List.of(new LoopStats(0, 1, 5, 0.25, 0, 0, 0, true, 0)), List.of(frontend), List.of(backend));
    }
}
