package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.stats.FrontendStats;
import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.stats.LoopStats;
import lb.core.stats.MemoryStats;
import lb.core.stats.ProcessStats;
import lb.core.stats.QueueStats;
import lb.core.stats.SourceTableStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.Terminations;
import lb.core.stats.Traffic;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.JsonSyntax;

/**
 * The kernel's accept-queue figures where the platform has them, and where it does not:
 * absent is "n/a" on the page, null in JSON and no sample in the metrics, never a zero.
 */
class KernelFiguresRenderingTest {

    @Test
    void presentFiguresAppearEverywhere() {
        StatsSnapshot s = snapshot(OptionalLong.of(37), OptionalLong.of(4096), OptionalLong.of(12), OptionalLong.of(15));
        String page = StatsPage.render(s, Duration.ZERO);
        assertTrue(page.contains("<span data-accept-queue=\"127.0.0.1:1883\">37</span> <span class=\"tag\">/ 4,096"),
                page);
        assertTrue(page.contains("<span data-listen-overflows>12</span>"));
        assertTrue(page.contains("per source: 3 of 65,536 blocks counted"));

        Map<String, Object> root = JsonSyntax.object(JsonSyntax.parse(StatsJson.render(s)));
        Map<String, Object> listener = listener(root);
        assertEquals(37.0, ((Number) listener.get("acceptQueue")).doubleValue());
        assertEquals(4096.0, ((Number) listener.get("acceptQueueLimit")).doubleValue());
        Map<String, Object> kernel = JsonSyntax.object(JsonSyntax.object(root.get("process")).get("kernel"));
        assertEquals(12.0, ((Number) kernel.get("listenOverflows")).doubleValue());
        assertEquals(15.0, ((Number) kernel.get("listenDrops")).doubleValue());

        Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(PrometheusText.render(s));
        assertEquals(37, ExpositionFormat.value(m, "lb_frontend_accept_queue", "frontend", "mqtt",
                "address", "127.0.0.1:1883"));
        assertEquals(4096, ExpositionFormat.value(m, "lb_frontend_accept_queue_limit", "frontend", "mqtt",
                "address", "127.0.0.1:1883"));
        assertEquals(12, ExpositionFormat.value(m, "lb_kernel_listen_overflows_total"));
        assertEquals(15, ExpositionFormat.value(m, "lb_kernel_listen_drops_total"));
        assertEquals(3, ExpositionFormat.value(m, "lb_frontend_source_blocks", "frontend", "mqtt"));
    }

    @Test
    void absentFiguresAreSaidToBeAbsentNotZero() {
        StatsSnapshot s = snapshot(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
        String page = StatsPage.render(s, Duration.ZERO);
        assertTrue(page.contains("<span data-accept-queue=\"127.0.0.1:1883\">n/a</span>"), page);
        assertTrue(page.contains("<span data-listen-overflows>n/a</span>"));

        Map<String, Object> root = JsonSyntax.object(JsonSyntax.parse(StatsJson.render(s)));
        Map<String, Object> listener = listener(root);
        assertTrue(listener.containsKey("acceptQueue"));
        assertNull(listener.get("acceptQueue"));
        assertNull(listener.get("acceptQueueLimit"));
        assertNull(JsonSyntax.object(JsonSyntax.object(root.get("process")).get("kernel")).get("listenOverflows"));

        String metrics = PrometheusText.render(s);
        for (String name : List.of("lb_frontend_accept_queue", "lb_frontend_accept_queue_limit",
                "lb_kernel_listen_overflows_total", "lb_kernel_listen_drops_total")) {
            assertFalse(ExpositionFormat.parse(metrics).containsKey(name), name + " left out");
        }
        assertEquals(1, ExpositionFormat.value(ExpositionFormat.parse(metrics), "lb_kernel_stats_failures_total"));
    }

    private static Map<String, Object> listener(Map<String, Object> root) {
        Map<String, Object> frontend = JsonSyntax.object(JsonSyntax.array(root.get("frontends")).get(0));
        return JsonSyntax.object(JsonSyntax.array(frontend.get("listeners")).get(0));
    }

    private static StatsSnapshot snapshot(OptionalLong queue, OptionalLong limit, OptionalLong overflows,
                                          OptionalLong drops) {
        Terminations none = Terminations.of(new long[Termination.values().length]);
        Traffic traffic = new Traffic(1, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, none);
        FrontendStats frontend = new FrontendStats("mqtt", List.of("127.0.0.1:1883"), "brokers", traffic,
                List.of(new ListenerStats("127.0.0.1:1883", 4096, queue, limit)), new SourceTableStats(3, 65_536, 0), null);
        BackendStats backend = new BackendStats("brokers", traffic, new QueueStats(0, 0, 10, 4, List.of()), null, false,
                List.of(), List.of());
        ProcessStats process = new ProcessStats(1, 1, 0, 1, 0, 0, 0, 0, 16384, 0, 0, 1, 0,
                new MemoryStats(1 << 20, 0, 0, 0),
                new KernelListenStats(overflows, drops, 1_700_000_005_000L, overflows.isPresent() ? 0 : 1));
        return new StatsSnapshot(1_700_000_005_000L, 0, process, List.of(new LoopStats(0, 1, 5, 0, 0, 0, 0, true, 0)),
                List.of(frontend), List.of(backend));
    }
}
