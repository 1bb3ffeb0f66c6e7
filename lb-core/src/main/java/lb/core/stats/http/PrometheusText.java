package lb.core.stats.http;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;

import lb.core.model.RejectReason;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.stats.BuildInfo;
import lb.core.stats.DurationHistogram;
import lb.core.stats.FrontendStats;
import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.stats.LoopStats;
import lb.core.stats.MemoryStats;
import lb.core.stats.PriorityClassStats;
import lb.core.stats.ProcessStats;
import lb.core.stats.ServerStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.Traffic;

/**
 * Renders a {@link StatsSnapshot} in the Prometheus text exposition format (0.0.4). Names carry
 * their unit and counters end in {@code _total}; labels are {@code frontend}, {@code backend},
 * {@code server}, {@code loop}, {@code termination}, {@code reason}, {@code priority} and
 * {@code address}. Figures the platform does not have are left out, not zero. Byte
 * counters follow HAProxy's exporter ({@code bytes_in} from clients, {@code bytes_out} to them),
 * so existing dashboards map one to one. No rates are exported: Prometheus derives them from
 * the counters with {@code rate()}. Connect and queue times are histograms in seconds, with the
 * same buckets everywhere ({@link DurationHistogram}). Beside the {@code lb_*} families, the
 * process start time carries the name Prometheus client libraries give it,
 * {@code process_start_time_seconds}. Stateless.
 */
public final class PrometheusText {
    /** The media type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The buckets' upper bounds in seconds as {@code le} values, written plainly ("0.00025", "10", "+Inf"). */
    private static final String[] LE = new String[DurationHistogram.BUCKETS];

    static {
        for (int i = 0; i < LE.length - 1; i++) {
            LE[i] = BigDecimal.valueOf(DurationHistogram.upperBoundNanos(i), 9).stripTrailingZeros().toPlainString();
        }
        LE[LE.length - 1] = "+Inf";
    }

    private PrometheusText() {
    }

    public static String render(StatsSnapshot s) {
        ExpositionWriter w = new ExpositionWriter();
        process(w, s.process());
        for (LoopStats l : s.loops()) {
            loop(w, l);
        }
        for (FrontendStats f : s.frontends()) {
            frontend(w, f);
        }
        for (BackendStats b : s.backends()) {
            backend(w, b);
            for (ServerStats server : b.servers()) {
                server(w, b.name(), server);
            }
        }
        return w.render();
    }

    private static void process(ExpositionWriter w, ProcessStats p) {
        BuildInfo build = p.build();
        w.gauge("lb_build_info", "Always 1; the labels name this library's version and the Java runtime's.")
                .sample(1, "version", build.version(), "java_version", build.javaVersion(),
                        "java_vendor", build.javaVendor());
        if (p.startedAtMillis() > 0) {
            w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
                    .sample(p.startedAtMillis() / 1e3);
        }
        w.gauge("lb_event_loops", "Event loops (threads) forwarding tunnels.").sample(p.eventLoops());
        w.gauge("lb_current_connections", "Live client connections over all frontends.").sample(p.connections());
        w.gauge("lb_connections_peak", "The most live client connections at once since the start.")
                .sample(p.peakConnections());
        if (p.maxConnections() > 0) {
            w.gauge("lb_connections_limit", "Most live client connections allowed over all frontends.")
                    .sample(p.maxConnections());
        }
        w.counter("lb_accept_errors_total", "Accepts that failed (out of file descriptors, say).")
                .sample(p.acceptErrors());
        w.gauge("lb_pool_buffers_in_use", "Pooled buffers holding bytes a socket could not take yet.")
                .sample(p.buffersInUse());
        w.gauge("lb_pool_buffers_idle", "Free pooled buffers kept for reuse.").sample(p.buffersIdle());
        w.counter("lb_pool_buffers_created_total", "Pooled buffers allocated.").sample(p.buffersCreated());
        w.gauge("lb_pool_buffer_size_bytes", "Size of one pooled buffer.").sample(p.bufferSize());
        MemoryStats m = p.memory();
        w.gauge("lb_memory_budget_bytes", "Most bytes clients may make the process hold.").sample(m.budgetBytes());
        w.gauge("lb_memory_used_bytes", "Bytes held now: inspected first bytes and pooled buffers.")
                .sample(m.usedBytes());
        w.counter("lb_memory_refusals_total", "Memory reservations refused because the budget was spent.")
                .sample(m.refusals());
        w.counter("lb_pool_buffers_over_budget_total", "Heap buffers lent to tunnels because the budget was spent.")
                .sample(m.buffersOverBudget());
        w.gauge("lb_live_event_loops", "Event loops working; fewer than lb_event_loops means a loop died.")
                .sample(p.liveLoops());
        KernelListenStats k = p.kernel();
        k.listenOverflows().ifPresent(n -> w.counter("lb_kernel_listen_overflows_total",
                "Connections the kernel dropped because an accept queue was full, at any listening socket of the "
                        + "host (ListenOverflows).").sample(n));
        k.listenDrops().ifPresent(n -> w.counter("lb_kernel_listen_drops_total",
                "Connections the kernel dropped at any listening socket of the host, for any reason (ListenDrops).")
                .sample(n));
        w.counter("lb_kernel_stats_failures_total", "Readings of the kernel's listen figures that could not be parsed.")
                .sample(k.sampleFailures());
    }

    private static void loop(ExpositionWriter w, LoopStats l) {
        String loop = Integer.toString(l.index());
        w.gauge("lb_loop_current_tunnels", "Live tunnels on an event loop.").sample(l.tunnels(), "loop", loop);
        w.counter("lb_loop_busy_seconds_total", "Time an event loop spent working rather than waiting for I/O.")
                .sample(l.busyNanos() / 1e9, "loop", loop);
        w.gauge("lb_loop_busy_ratio", "Share of the last stats interval an event loop spent working (0 to 1).")
                .sample(l.busyRatio(), "loop", loop);
        w.gauge("lb_loop_up", "1 while an event loop works, 0 once it died of an error it could not contain.")
                .sample(l.alive() ? 1 : 0, "loop", loop);
        w.counter("lb_loop_faults_total", "Units of loop work that threw and were contained (each one logged).")
                .sample(l.faults(), "loop", loop);
        w.gauge("lb_loop_tls_handshakes", "TLS handshakes under way on an event loop.")
                .sample(l.tlsHandshakes(), "loop", loop);
        w.gauge("lb_loop_tls_handshakes_waiting", "TLS clients that sent their hello and wait for a handshake turn.")
                .sample(l.tlsHandshakesWaiting(), "loop", loop);
    }

    private static void frontend(ExpositionWriter w, FrontendStats f) {
        Traffic t = f.traffic();
        String[] id = {"frontend", f.name()};
        w.gauge("lb_frontend_current_connections", "Live client connections of a frontend.")
                .sample(t.connections(), id);
        w.gauge("lb_frontend_connections_peak", "The most live client connections of a frontend at once since the start.")
                .sample(t.peakConnections(), id);
        if (t.maxConnections() > 0) {
            w.gauge("lb_frontend_connections_limit", "Most live client connections a frontend accepts.")
                    .sample(t.maxConnections(), id);
        }
        w.counter("lb_frontend_connections_total", "Client connections a frontend accepted.")
                .sample(t.totalConnections(), id);
        for (ListenerStats l : f.listeners()) {
            String[] at = with(id, "address", l.address());
            l.acceptQueue().ifPresent(n -> w.gauge("lb_frontend_accept_queue",
                    "Connections waiting in the kernel to be accepted on a frontend's address.").sample(n, at));
            l.acceptQueueLimit().ifPresent(n -> w.gauge("lb_frontend_accept_queue_limit",
                    "How many connections the kernel queues for accepting on a frontend's address.").sample(n, at));
        }
        if (f.sources() != null) {
            w.gauge("lb_frontend_source_blocks", "Client address blocks a frontend's per-source limits count now.")
                    .sample(f.sources().blocks(), id);
            w.gauge("lb_frontend_source_blocks_limit", "The most client address blocks a frontend counts at once.")
                    .sample(f.sources().capacity(), id);
            w.counter("lb_frontend_source_uncounted_total",
                    "Connections let in uncounted because the per-source table was full.")
                    .sample(f.sources().uncounted(), id);
        }
        if (f.tls() != null) {
            w.counter("lb_frontend_tls_handshakes_total", "TLS handshakes a frontend finished with clients.")
                    .sample(f.tls().handshakes(), id);
            ExpositionWriter.Family failed = w.counter("lb_frontend_tls_handshake_failures_total",
                    "TLS handshakes with clients that failed, by reason.");
            f.tls().failures().forEach((reason, n) -> failed.sample(n, with(id, "reason", reason)));
        }
        bytes(w, "frontend", t, id);
        ends(w, "frontend", t, id);
        rejects(w, "frontend", t, id);
    }

    private static void backend(ExpositionWriter w, BackendStats b) {
        Traffic t = b.traffic();
        String[] id = {"backend", b.name()};
        w.gauge("lb_backend_current_connections", "Live tunnels on a backend's servers, connecting ones included.")
                .sample(t.connections(), id);
        w.gauge("lb_backend_connections_peak", "The most live tunnels on a backend's servers at once since the start.")
                .sample(t.peakConnections(), id);
        times(w, "lb_backend_connect_time", "From a tunnel's first connect attempt to its server connection being "
                + "established, retries included.",
                "The longest connect time of a backend's tunnels since the start, retries included.",
                b.connectTime(), id);
        times(w, "lb_backend_queue_time", "How long tunnels waited in a backend's queue before it let them go to a "
                + "server (those that never waited are not counted).",
                "The longest wait of a tunnel a backend's queue let go to a server, since the start.",
                b.queueTime(), id);
        if (t.maxConnections() > 0) {
            w.gauge("lb_backend_connections_limit", "The sum of a backend's server connection limits.")
                    .sample(t.maxConnections(), id);
        }
        w.counter("lb_backend_connections_total", "Tunnels connected to a backend's servers.")
                .sample(t.totalConnections(), id);
        bytes(w, "backend", t, id);
        connectErrors(w, "backend", t, id);
        w.counter("lb_backend_redispatches_total", "Last connect retries sent to another server.")
                .sample(t.redispatches(), id);
        ends(w, "backend", t, id);
        rejects(w, "backend", t, id);
        w.gauge("lb_backend_current_queue", "Tunnels waiting for a free server slot.").sample(b.queue().queued(), id);
        w.gauge("lb_backend_queue_peak", "The most tunnels that waited for a free server slot at once.")
                .sample(b.queue().peak(), id);
        w.gauge("lb_backend_queue_limit", "The most tunnels allowed to wait for a free server slot.")
                .sample(b.queue().limit(), id);
        priorityClasses(w, b, id);
        if (b.rebalance() != null) {
            w.gauge("lb_backend_rebalance_running", "1 while a rebalance is moving clients, else 0.")
                    .sample(b.rebalance().running() ? 1 : 0, id);
            w.gauge("lb_backend_rebalance_planned", "Clients the latest rebalance set out to move.")
                    .sample(b.rebalance().planned(), id);
            w.gauge("lb_backend_rebalance_moved", "Clients the latest rebalance has moved so far.")
                    .sample(b.rebalance().moved(), id);
        }
        if (b.rebalance() != null || !b.awaitingRebalance().isEmpty()) {
            w.gauge("lb_backend_rebalance_awaiting",
                    "Servers added that the backend waits for (up, past slow start) before it rebalances by itself.")
                    .sample(b.awaitingRebalance().size(), id);
        }
        w.gauge("lb_backend_max_connect_rate", "The most new connections a second a whole backend is sent (0: no limit).")
                .sample(b.queue().maxConnectRate(), id);
        w.counter("lb_backend_connects_delayed_total",
                "Tunnels that waited in the queue because the backend-wide connect rate was spent.")
                .sample(b.queue().connectsDelayed(), id);
        w.gauge("lb_backend_servers", "Servers of a backend.").sample(b.servers().size(), id);
        w.gauge("lb_backend_usable_servers", "Servers of a backend taking new tunnels.").sample(b.usableServers(), id);
        if (b.stickTable() != null) {
            w.gauge("lb_backend_stick_table_entries", "Keys held in a backend's stick table.")
                    .sample(b.stickTable().entries(), id);
            w.gauge("lb_backend_stick_table_capacity", "The most keys a backend's stick table holds.")
                    .sample(b.stickTable().capacity(), id);
        }
    }

    /** Per priority class: tunnels, the queue now, and what it did to them. */
    private static void priorityClasses(ExpositionWriter w, BackendStats b, String[] id) {
        ExpositionWriter.Family tunnels = w.counter("lb_backend_class_tunnels_total",
                "Tunnels routed to a backend, by priority class.");
        ExpositionWriter.Family queue = w.gauge("lb_backend_class_current_queue",
                "Tunnels of a priority class waiting for a free server slot.");
        ExpositionWriter.Family queued = w.counter("lb_backend_class_queued_total",
                "Tunnels of a priority class that had to wait, every server being full.");
        ExpositionWriter.Family dequeued = w.counter("lb_backend_class_dequeued_total",
                "Waiting tunnels of a priority class the queue let go to a server.");
        ExpositionWriter.Family timedOut = w.counter("lb_backend_class_queue_timeouts_total",
                "Waiting tunnels of a priority class refused when the queue timeout passed.");
        ExpositionWriter.Family waited = w.counter("lb_backend_class_queue_wait_seconds_total",
                "Time waited by the tunnels of a priority class the queue let go, added up.");
        ExpositionWriter.Family longest = w.gauge("lb_backend_class_queue_wait_max_seconds",
                "The longest wait of one tunnel of a priority class the queue let go.");
        for (PriorityClassStats c : b.queue().classes()) {
            String[] labels = with(id, "priority", Integer.toString(c.priority()));
            tunnels.sample(c.tunnels(), labels);
            queue.sample(c.queued(), labels);
            queued.sample(c.queuedTotal(), labels);
            dequeued.sample(c.dequeued(), labels);
            timedOut.sample(c.timedOut(), labels);
            waited.sample(c.waitNanosTotal() / 1e9, labels);
            longest.sample(c.maxWaitNanos() / 1e9, labels);
        }
    }

    private static void server(ExpositionWriter w, String backend, ServerStats s) {
        Traffic t = s.traffic();
        String[] id = {"backend", backend, "server", s.name()};
        w.gauge("lb_server_current_connections", "Live tunnels on a server, connecting ones included.")
                .sample(t.connections(), id);
        w.gauge("lb_server_connections_peak", "The most live tunnels on a server at once since the start.")
                .sample(t.peakConnections(), id);
        times(w, "lb_server_connect_time", "From the start of the connect attempt to a server that succeeded to its "
                + "connection being established.",
                "The longest successful connect attempt to a server since the start.", s.connectTime(), id);
        if (t.maxConnections() > 0) {
            w.gauge("lb_server_connections_limit", "Most live tunnels a server takes.").sample(t.maxConnections(), id);
        }
        w.counter("lb_server_connections_total", "Tunnels connected to a server.").sample(t.totalConnections(), id);
        bytes(w, "server", t, id);
        connectErrors(w, "server", t, id);
        ends(w, "server", t, id);
        w.gauge("lb_server_up", "1 if a server's health checks pass (or it is not checked), else 0.")
                .sample(s.up() ? 1 : 0, id);
        ExpositionWriter.Family state = w.gauge("lb_server_state",
                "A server's operator state: 1 for the state it is in, 0 for the others.");
        for (ServerState st : ServerState.values()) {
            state.sample(st == s.state() ? 1 : 0, "backend", backend, "server", s.name(),
                    "state", st.name().toLowerCase(Locale.ROOT));
        }
        w.gauge("lb_server_weight", "A server's weight as balancers use it now (slow start scales it).")
                .sample(s.weight(), id);
        w.gauge("lb_server_configured_weight", "A server's weight as configured or last set.")
                .sample(s.configuredWeight(), id);
        w.gauge("lb_server_health_changed_timestamp_seconds", "When a server last went up or down (Unix time).")
                .sample(s.healthChangedAtMillis() / 1e3, id);
        w.counter("lb_server_down_transitions_total", "Times a server went down.").sample(s.downTransitions(), id);
        w.counter("lb_server_source_ports_exhausted_total",
                "Connects refused because every source port toward a server was taken.")
                .sample(s.sourcePortsExhausted(), id);
        w.gauge("lb_server_max_connect_rate", "The most new connections a second a server is sent (0: no limit).")
                .sample(s.maxConnectRate(), id);
        w.counter("lb_server_connects_delayed_total",
                "Tunnels that waited in the queue because a server's connect rate was spent.")
                .sample(s.connectsDelayed(), id);
    }

    /** {@code prefix_seconds} as a histogram and {@code prefix_max_seconds}, the longest, as a gauge. */
    private static void times(ExpositionWriter w, String prefix, String help, String maxHelp, DurationHistogram h,
                              String[] id) {
        long[] cumulative = new long[DurationHistogram.BUCKETS];
        long n = 0;
        for (int i = 0; i < cumulative.length; i++) {
            n += h.counts().get(i);
            cumulative[i] = n;
        }
        w.histogram(prefix + "_seconds", help).histogram(LE, cumulative, h.sumNanos() / 1e9, id);
        w.gauge(prefix + "_max_seconds", maxHelp).sample(h.maxNanos() / 1e9, id);
    }

    private static void bytes(ExpositionWriter w, String level, Traffic t, String[] id) {
        w.counter("lb_" + level + "_bytes_in_total", "Bytes relayed from clients to servers.").sample(t.bytesIn(), id);
        w.counter("lb_" + level + "_bytes_out_total", "Bytes relayed from servers to clients.").sample(t.bytesOut(), id);
    }

    private static void connectErrors(ExpositionWriter w, String level, Traffic t, String[] id) {
        w.counter("lb_" + level + "_connect_errors_total", "Failed connect attempts to servers, retries included.")
                .sample(t.connectErrors(), id);
        w.counter("lb_" + level + "_retries_total", "Connect attempts made again after a failure.")
                .sample(t.retries(), id);
    }

    private static void ends(ExpositionWriter w, String level, Traffic t, String[] id) {
        ExpositionWriter.Family f = w.counter("lb_" + level + "_tunnels_ended_total",
                "Finished tunnels by why they ended.");
        for (Termination term : Termination.values()) {
            f.sample(t.ends().count(term), with(id, "termination", term.name().toLowerCase(Locale.ROOT)));
        }
    }

    private static void rejects(ExpositionWriter w, String level, Traffic t, String[] id) {
        ExpositionWriter.Family f = w.counter("lb_" + level + "_rejects_total",
                "Clients refused service, by reason (limit, timeout, inspector, rule, no_server, connect).");
        for (RejectReason r : RejectReason.values()) {
            f.sample(t.ends().rejected(r), with(id, "reason", r.label()));
        }
    }

    private static String[] with(String[] id, String label, String value) {
        String[] all = Arrays.copyOf(id, id.length + 2);
        all[id.length] = label;
        all[id.length + 1] = value;
        return all;
    }
}
