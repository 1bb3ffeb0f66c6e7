package lb.core.stats.http;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

import lb.core.model.RejectReason;
import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.stats.DurationHistogram;
import lb.core.stats.FrontendStats;
import lb.core.stats.HealthChange;
import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.stats.LoopStats;
import lb.core.stats.MemoryStats;
import lb.core.stats.PriorityClassStats;
import lb.core.stats.ProcessStats;
import lb.core.stats.RebalanceStats;
import lb.core.stats.ServerStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.Traffic;

/**
 * Renders a {@link StatsSnapshot} as JSON: the records' fields under the same names, times in
 * epoch milliseconds, the rate interval in seconds, enum values in lower case, figures the
 * platform does not have as null. Connect and queue times carry their bucket counts, sum and
 * longest, and p50, p90 and p99 estimated from the buckets ({@link DurationHistogram}; null
 * while empty). Stateless.
 */
public final class StatsJson {
    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private StatsJson() {
    }

    public static String render(StatsSnapshot s) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("takenAtMillis").value(s.takenAtMillis());
        w.name("intervalSeconds").value(s.intervalNanos() / 1e9);
        process(w.name("process"), s.process());
        w.name("loops").beginArray();
        for (LoopStats l : s.loops()) {
            w.beginObject().name("index").value(l.index()).name("tunnels").value(l.tunnels())
                    .name("busyNanos").value(l.busyNanos()).name("busyRatio").value(l.busyRatio())
                    .name("buffersInUse").value(l.buffersInUse()).name("buffersIdle").value(l.buffersIdle())
                    .name("buffersCreated").value(l.buffersCreated()).name("alive").value(l.alive())
                    .name("faults").value(l.faults()).name("tlsHandshakes").value(l.tlsHandshakes())
                    .name("tlsHandshakesWaiting").value(l.tlsHandshakesWaiting()).endObject();
        }
        w.endArray();
        w.name("frontends").beginArray();
        for (FrontendStats f : s.frontends()) {
            w.beginObject().name("name").value(f.name());
            w.name("addresses").beginArray();
            for (String a : f.addresses()) {
                w.value(a);
            }
            w.endArray().name("backend").value(f.backend());
            traffic(w.name("traffic"), f.traffic());
            w.name("listeners").beginArray();
            for (ListenerStats l : f.listeners()) {
                w.beginObject().name("address").value(l.address()).name("backlog").value(l.backlog());
                optional(w.name("acceptQueue"), l.acceptQueue());
                optional(w.name("acceptQueueLimit"), l.acceptQueueLimit());
                w.endObject();
            }
            w.endArray().name("sources");
            if (f.sources() == null) {
                w.nullValue();
            } else {
                w.beginObject().name("blocks").value(f.sources().blocks())
                        .name("capacity").value(f.sources().capacity())
                        .name("uncounted").value(f.sources().uncounted()).endObject();
            }
            w.name("tls");
            if (f.tls() == null) {
                w.nullValue();
            } else {
                w.beginObject().name("handshakes").value(f.tls().handshakes()).name("failures").beginObject();
                f.tls().failures().forEach((reason, n) -> w.name(reason).value(n));
                w.endObject().endObject();
            }
            w.endObject();
        }
        w.endArray();
        w.name("backends").beginArray();
        for (BackendStats b : s.backends()) {
            backend(w, b);
        }
        return w.endArray().endObject().toString();
    }

    private static void process(JsonWriter w, ProcessStats p) {
        w.beginObject().name("eventLoops").value(p.eventLoops()).name("connections").value(p.connections())
                .name("maxConnections").value(p.maxConnections()).name("tunnels").value(p.tunnels())
                .name("acceptErrors").value(p.acceptErrors()).name("buffersInUse").value(p.buffersInUse())
                .name("buffersIdle").value(p.buffersIdle()).name("buffersCreated").value(p.buffersCreated())
                .name("bufferSize").value(p.bufferSize()).name("busyRatio").value(p.busyRatio())
                .name("busiestLoopRatio").value(p.busiestLoopRatio()).name("liveLoops").value(p.liveLoops())
                .name("faults").value(p.faults()).name("peakConnections").value(p.peakConnections())
                .name("startedAtMillis").value(p.startedAtMillis());
        w.name("build").beginObject().name("version").value(p.build().version())
                .name("javaVersion").value(p.build().javaVersion()).name("javaVendor").value(p.build().javaVendor())
                .endObject();
        MemoryStats m = p.memory();
        w.name("memory").beginObject().name("budgetBytes").value(m.budgetBytes()).name("usedBytes").value(m.usedBytes())
                .name("refusals").value(m.refusals()).name("buffersOverBudget").value(m.buffersOverBudget())
                .endObject();
        KernelListenStats k = p.kernel();
        w.name("kernel").beginObject();
        optional(w.name("listenOverflows"), k.listenOverflows());
        optional(w.name("listenDrops"), k.listenDrops());
        w.name("sampledAtMillis").value(k.sampledAtMillis()).name("sampleFailures").value(k.sampleFailures())
                .endObject().endObject();
    }

    /** A figure the platform may not have: null when absent. */
    private static void optional(JsonWriter w, OptionalLong v) {
        if (v.isPresent()) {
            w.value(v.getAsLong());
        } else {
            w.nullValue();
        }
    }

    private static void backend(JsonWriter w, BackendStats b) {
        w.beginObject().name("name").value(b.name());
        traffic(w.name("traffic"), b.traffic());
        times(w.name("connectTime"), b.connectTime());
        times(w.name("queueTime"), b.queueTime());
        w.name("queue").beginObject().name("queued").value(b.queue().queued()).name("peak").value(b.queue().peak())
                .name("limit").value(b.queue().limit()).name("priorityBurst").value(b.queue().priorityBurst())
                .name("maxConnectRate").value(b.queue().maxConnectRate())
                .name("connectsDelayed").value(b.queue().connectsDelayed());
        w.name("classes").beginArray();
        for (PriorityClassStats c : b.queue().classes()) {
            w.beginObject().name("priority").value(c.priority()).name("tunnels").value(c.tunnels())
                    .name("queued").value(c.queued()).name("queuedTotal").value(c.queuedTotal())
                    .name("dequeued").value(c.dequeued()).name("timedOut").value(c.timedOut())
                    .name("waitNanosTotal").value(c.waitNanosTotal()).name("meanWaitNanos").value(c.meanWaitNanos())
                    .name("maxWaitNanos").value(c.maxWaitNanos()).endObject();
        }
        w.endArray().endObject();
        w.name("stickTable");
        if (b.stickTable() == null) {
            w.nullValue();
        } else {
            w.beginObject().name("entries").value(b.stickTable().entries())
                    .name("capacity").value(b.stickTable().capacity()).endObject();
        }
        w.name("healthChecked").value(b.healthChecked());
        w.name("awaitingRebalance").beginArray();
        for (String s : b.awaitingRebalance()) {
            w.value(s);
        }
        w.endArray();
        w.name("rebalance");
        RebalanceStats r = b.rebalance();
        if (r == null) {
            w.nullValue();
        } else {
            w.beginObject().name("running").value(r.running()).name("startedAtMillis").value(r.startedAtMillis())
                    .name("clientsPerSecond").value(r.clientsPerSecond()).name("planned").value(r.planned())
                    .name("moved").value(r.moved()).name("cause").value(r.cause()).endObject();
        }
        w.name("servers").beginArray();
        for (ServerStats s : b.servers()) {
            w.beginObject().name("name").value(s.name()).name("address").value(s.address())
                    .name("state").value(s.state().name().toLowerCase(Locale.ROOT)).name("up").value(s.up())
                    .name("usable").value(s.usable()).name("warmingUp").value(s.warmingUp())
                    .name("healthReason").value(s.healthReason())
                    .name("healthChangedAtMillis").value(s.healthChangedAtMillis())
                    .name("downTransitions").value(s.downTransitions()).name("weight").value(s.weight())
                    .name("configuredWeight").value(s.configuredWeight())
                    .name("sourcePortsExhausted").value(s.sourcePortsExhausted())
                    .name("maxConnectRate").value(s.maxConnectRate()).name("connectsDelayed").value(s.connectsDelayed());
            traffic(w.name("traffic"), s.traffic());
            times(w.name("connectTime"), s.connectTime());
            w.endObject();
        }
        w.endArray();
        w.name("healthChanges").beginArray();
        for (HealthChange c : b.healthChanges()) {
            w.beginObject().name("server").value(c.server()).name("up").value(c.up())
                    .name("reason").value(c.reason()).name("atMillis").value(c.atMillis()).endObject();
        }
        w.endArray().endObject();
    }

    /** Percentiles estimated from the buckets; null while nothing was recorded. */
    private static void times(JsonWriter w, DurationHistogram h) {
        w.beginObject().name("count").value(h.count()).name("sumNanos").value(h.sumNanos())
                .name("maxNanos").value(h.maxNanos());
        boolean empty = h.count() == 0;
        percentile(w.name("p50Nanos"), h, 0.5, empty);
        percentile(w.name("p90Nanos"), h, 0.9, empty);
        percentile(w.name("p99Nanos"), h, 0.99, empty);
        w.name("counts").beginArray();
        for (long c : h.counts()) {
            w.value(c);
        }
        w.endArray().endObject();
    }

    private static void percentile(JsonWriter w, DurationHistogram h, double q, boolean empty) {
        if (empty) {
            w.nullValue();
        } else {
            w.value(h.percentileNanos(q));
        }
    }

    private static void traffic(JsonWriter w, Traffic t) {
        w.beginObject().name("connections").value(t.connections()).name("maxConnections").value(t.maxConnections())
                .name("peakConnections").value(t.peakConnections())
                .name("totalConnections").value(t.totalConnections()).name("connectionRate").value(t.connectionRate())
                .name("bytesIn").value(t.bytesIn()).name("bytesOut").value(t.bytesOut())
                .name("bytesInRate").value(t.bytesInRate()).name("bytesOutRate").value(t.bytesOutRate())
                .name("connectErrors").value(t.connectErrors()).name("retries").value(t.retries())
                .name("redispatches").value(t.redispatches());
        w.name("rejects").beginObject();
        for (Map.Entry<RejectReason, Long> e : t.ends().rejects().entrySet()) {
            w.name(e.getKey().label()).value(e.getValue());
        }
        w.endObject().name("terminations").beginObject();
        for (Map.Entry<Termination, Long> e : t.ends().counts().entrySet()) {
            w.name(e.getKey().name().toLowerCase(Locale.ROOT)).value(e.getValue());
        }
        w.endObject().endObject();
    }
}
