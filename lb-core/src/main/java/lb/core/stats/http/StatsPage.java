package lb.core.stats.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

import lb.core.model.RejectReason;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.stats.FrontendStats;
import lb.core.stats.HealthChange;
import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.stats.LoopStats;
import lb.core.stats.MemoryStats;
import lb.core.stats.PriorityClassStats;
import lb.core.stats.ProcessStats;
import lb.core.stats.QueueStats;
import lb.core.stats.ServerStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.Terminations;
import lb.core.stats.Traffic;

/**
 * Renders a {@link StatsSnapshot} as one self-contained HTML page: summary cards, the
 * frontends (with the kernel's accept queue in front of each address, "n/a" where the platform
 * does not show it), a table per backend with its servers (states coloured, health and its last
 * change, weights, connections with their peaks, rates, bytes), its connect and queue times
 * ({@link TimingsTable}) and its queue by priority class, recent health changes, and the event
 * loops; the header names the version and when the process started. No script and no external asset: the style is inline and a meta
 * refresh reloads it. Every name is escaped. Stateless.
 */
public final class StatsPage {
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";
    private static final DateTimeFormatter WALL =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String NONE = "<span class=\"muted\">&ndash;</span>";

    private final StatsSnapshot s;
    private final StringBuilder out = new StringBuilder(32 * 1024);

    private StatsPage(StatsSnapshot s) {
        this.s = s;
    }

    /** The page; {@code refresh} zero means it does not reload itself. */
    public static String render(StatsSnapshot snapshot, Duration refresh) {
        return new StatsPage(snapshot).page(refresh.toSeconds());
    }

    private String page(long refreshSeconds) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        if (refreshSeconds > 0) {
            out.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
        }
        out.append("<title>Load balancer stats</title><style>").append(StatsPageStyle.CSS).append("</style></head><body>");
        out.append("<header><h1>Load balancer</h1><div class=\"meta\">")
                .append(WALL.format(Instant.ofEpochMilli(s.takenAtMillis())))
                .append(s.hasRates() ? " &middot; rates over the last " + Math.round(s.intervalNanos() / 1e9) + " s"
                        : " &middot; rates from the next refresh on");
        if (refreshSeconds > 0) {
            out.append(" &middot; refreshes every ").append(refreshSeconds).append(" s");
        }
        ProcessStats p = s.process();
        out.append("<br>version ").append(esc(p.build().version())).append(" &middot; Java ")
                .append(esc(p.build().javaVersion()));
        if (p.startedAtMillis() > 0) {
            out.append(" &middot; started ").append(WALL.format(Instant.ofEpochMilli(p.startedAtMillis())))
                    .append(" (").append(HumanUnits.ago(p.startedAtMillis(), s.takenAtMillis())).append(')');
        }
        out.append("</div></header><main>");
        cards();
        frontends();
        for (BackendStats b : s.backends()) {
            backend(b);
        }
        loops();
        out.append("</main><footer>The same numbers as <a href=\"metrics\">Prometheus metrics</a> and as ")
                .append("<a href=\"stats.json\">JSON</a>.</footer></body></html>\n");
        return out.toString();
    }

    private void cards() {
        ProcessStats p = s.process();
        long accepted = 0;
        double acceptRate = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        double inRate = 0;
        double outRate = 0;
        long rejected = 0;
        Map<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);
        for (FrontendStats f : s.frontends()) {
            Traffic t = f.traffic();
            accepted += t.totalConnections();
            acceptRate += t.connectionRate();
            bytesIn += t.bytesIn();
            bytesOut += t.bytesOut();
            inRate += t.bytesInRate();
            outRate += t.bytesOutRate();
            rejected += t.ends().rejectedTotal();
            t.ends().rejects().forEach((reason, n) -> rejects.merge(reason, n, Long::sum));
        }
        out.append("<div class=\"cards\">");
        card("Connections", HumanUnits.count(p.connections()) + (p.maxConnections() > 0
                ? " <span class=\"tag\">/ " + HumanUnits.count(p.maxConnections()) + "</span>" : ""),
                (p.maxConnections() > 0 ? HumanUnits.percent(p.connections() / (double) p.maxConnections())
                        + " of the global limit" : "no global limit") + " &middot; peak "
                        + HumanUnits.count(p.peakConnections()));
        card("Accepted", HumanUnits.count(accepted), rate(HumanUnits.perSecond(acceptRate)));
        card("Rejected", HumanUnits.count(rejected), rejected == 0 ? "none" : breakdown(rejects));
        card("Traffic", HumanUnits.bytes(bytesIn + bytesOut), "in " + rate(HumanUnits.bytesPerSecond(inRate))
                + " &middot; out " + rate(HumanUnits.bytesPerSecond(outRate)));
        card("Loops busy", HumanUnits.percent(p.busyRatio()), p.eventLoops() + " loops &middot; busiest "
                + HumanUnits.percent(p.busiestLoopRatio()));
        card("Pooled buffers", HumanUnits.count(p.buffersInUse()) + " <span class=\"tag\">in use</span>",
                HumanUnits.count(p.buffersIdle()) + " idle &middot; "
                        + HumanUnits.bytes((double) (p.buffersInUse() + p.buffersIdle()) * p.bufferSize()) + " held");
        card("Accept errors", HumanUnits.count(p.acceptErrors()), "failed accepts (file descriptors)");
        KernelListenStats k = p.kernel();
        card("Kernel listen drops", "<span data-listen-overflows>" + optional(k.listenOverflows()) + "</span>",
                "accept queue full, host-wide &middot; " + optional(k.listenDrops()) + " dropped at listeners in all");
        MemoryStats m = p.memory();
        card("Memory budget", HumanUnits.percent(m.usedBytes() / (double) m.budgetBytes()),
                HumanUnits.bytes(m.usedBytes()) + " of " + HumanUnits.bytes(m.budgetBytes()) + " &middot; "
                        + HumanUnits.count(m.refusals()) + " refused");
        if (p.liveLoops() < p.eventLoops() || p.faults() > 0) {
            card("Loop faults", HumanUnits.count(p.faults()), p.liveLoops() + " of " + p.eventLoops()
                    + " loops alive");
        }
        out.append("</div>");
    }

    private void card(String key, String valueHtml, String subHtml) {
        out.append("<div class=\"card\"><div class=\"k\">").append(key).append("</div><div class=\"v\">")
                .append(valueHtml).append("</div><div class=\"s\">").append(subHtml).append("</div></div>");
    }

    private void frontends() {
        out.append("<section><h2>Frontends</h2><table><thead><tr><th>Frontend</th><th class=\"l\">Listening</th>")
                .append("<th class=\"l\">Backend</th><th>Current</th><th>Limit</th><th>Accepted</th><th>Rate</th>")
                .append("<th>In</th><th>Out</th><th>Rejected</th><th>Kernel accept queue</th></tr></thead><tbody>");
        for (FrontendStats f : s.frontends()) {
            Traffic t = f.traffic();
            out.append("<tr data-frontend=\"").append(esc(f.name())).append("\"><td><b>").append(esc(f.name()))
                    .append("</b>");
            if (f.sources() != null) {
                out.append("<small>per source: ").append(HumanUnits.count(f.sources().blocks())).append(" of ")
                        .append(HumanUnits.count(f.sources().capacity())).append(" blocks counted</small>");
            }
            if (f.tls() != null) {
                out.append("<small>TLS: ").append(HumanUnits.count(f.tls().handshakes())).append(" handshakes, ")
                        .append(HumanUnits.count(f.tls().failed())).append(" failed");
                f.tls().failures().forEach((reason, n) -> {
                    if (n > 0) {
                        out.append(", ").append(esc(reason)).append(' ').append(HumanUnits.count(n));
                    }
                });
                out.append("</small>");
            }
            out.append("</td><td class=\"l\">").append(esc(String.join(", ", f.addresses())))
                    .append("</td><td class=\"l\">").append(esc(f.backend())).append("</td>");
            connectionCells(t);
            byteCells(t);
            long rejected = t.ends().rejectedTotal();
            out.append("<td>").append(rejected == 0 ? "0" : "<span class=\"rej\">" + HumanUnits.count(rejected)
                    + "</span> <span class=\"tag\">" + breakdown(t.ends().rejects()) + "</span>").append("</td><td>");
            acceptQueues(f);
            out.append("</td></tr>");
        }
        out.append("</tbody></table>");
        for (FrontendStats f : s.frontends()) {
            endings("How tunnels of frontend " + esc(f.name()) + " ended", f.traffic().ends());
        }
        out.append("</section>");
    }

    /** Each listening address's accept queue, "waiting / limit", or n/a where the platform does not say. */
    private void acceptQueues(FrontendStats f) {
        for (int i = 0; i < f.listeners().size(); i++) {
            ListenerStats l = f.listeners().get(i);
            if (i > 0) {
                out.append("<br>");
            }
            out.append("<span data-accept-queue=\"").append(esc(l.address())).append("\">")
                    .append(optional(l.acceptQueue())).append("</span>");
            if (l.acceptQueueLimit().isPresent()) {
                out.append(" <span class=\"tag\">/ ").append(HumanUnits.count(l.acceptQueueLimit().getAsLong()))
                        .append("</span>");
            }
            if (f.listeners().size() > 1) {
                out.append("<small>").append(esc(l.address())).append("</small>");
            }
        }
    }

    /** A figure the platform may not have: "n/a" when absent, never a made-up zero. */
    private static String optional(OptionalLong v) {
        return v.isPresent() ? HumanUnits.count(v.getAsLong()) : "n/a";
    }

    private void backend(BackendStats b) {
        Traffic t = b.traffic();
        QueueStats q = b.queue();
        out.append("<section data-backend=\"").append(esc(b.name())).append("\"><h2>Backend ")
                .append(esc(b.name()))
                .append("<span class=\"tag\">servers <b>").append(b.usableServers()).append('/')
                .append(b.servers().size()).append("</b> usable</span>")
                .append("<span class=\"tag\">queue <b>").append(HumanUnits.count(q.queued())).append("</b> &middot; peak ")
                .append(HumanUnits.count(q.peak())).append(" &middot; max ").append(HumanUnits.count(q.limit()))
                .append("</span>");
        if (b.stickTable() != null) {
            out.append("<span class=\"tag\">stick table <b>").append(HumanUnits.count(b.stickTable().entries()))
                    .append("</b> / ").append(HumanUnits.count(b.stickTable().capacity())).append(" keys</span>");
        } else {
            out.append("<span class=\"tag\">no stick table</span>");
        }
        out.append("<span class=\"tag\">health checks <b>").append(b.healthChecked() ? "on" : "off").append("</b></span>");
        long rejected = t.ends().rejectedTotal();
        if (rejected > 0) {
            out.append("<span class=\"tag\">rejected <b class=\"rej\">").append(HumanUnits.count(rejected))
                    .append("</b> ").append(breakdown(t.ends().rejects())).append("</span>");
        }
        out.append("</h2><table><thead><tr><th>Server</th><th class=\"l\">Status</th>")
                .append("<th>Weight</th><th>Current</th><th>Limit</th><th>Connected</th><th>Rate</th>")
                .append("<th>In</th><th>Out</th><th>Connect errors</th><th>Downs</th>")
                .append("<th class=\"l\">Last health change</th></tr></thead><tbody>");
        for (ServerStats server : b.servers()) {
            server(server);
        }
        out.append("<tr class=\"total\"><td>Backend</td><td class=\"l\">")
                .append(b.usableServers()).append(" of ").append(b.servers().size()).append(" usable</td><td></td>");
        connectionCells(t);
        byteCells(t);
        errorCell(t);
        out.append("<td></td><td></td></tr></tbody></table>");
        TimingsTable.append(out, b);
        priorityClasses(q);
        history(b);
        endings("How tunnels of backend " + esc(b.name()) + " ended", t.ends());
        out.append("</section>");
    }

    private void server(ServerStats server) {
        Traffic t = server.traffic();
        String status = status(server);
        out.append("<tr class=\"st-").append(status).append("\" data-server=\"").append(esc(server.name()))
                .append("\" data-status=\"").append(status).append("\"><td><b>").append(esc(server.name()))
                .append("</b><small>").append(esc(server.address()))
                .append("</small></td><td class=\"l\"><span class=\"pill\">").append(statusLabel(status))
                .append("</span></td><td>").append(server.weight());
        if (server.weight() != server.configuredWeight()) {
            out.append(" <span class=\"tag\">of ").append(server.configuredWeight()).append("</span>");
        }
        out.append("</td>");
        connectionCells(t);
        byteCells(t);
        errorCell(t);
        out.append("<td>").append(HumanUnits.count(server.downTransitions())).append("</td><td class=\"l why\" title=\"")
                .append(esc(server.healthReason())).append("\">");
        if (server.up() && server.downTransitions() == 0) {
            out.append("up since start"); // its time is when it was configured, not a change
        } else {
            out.append(server.up() ? "up " : "down ")
                    .append(HumanUnits.ago(server.healthChangedAtMillis(), s.takenAtMillis()));
        }
        out.append(" &middot; ").append(esc(server.healthReason())).append("</td></tr>");
    }

    /** The queue by priority class, once classes or queueing happened. */
    private void priorityClasses(QueueStats q) {
        boolean queuedEver = false;
        for (PriorityClassStats c : q.classes()) {
            queuedEver |= c.queuedTotal() > 0;
        }
        if (q.classes().size() < 2 && !queuedEver) {
            return;
        }
        out.append("<table class=\"classes\"><thead><tr><th>Priority class</th><th>Tunnels</th><th>Waiting</th>")
                .append("<th>Queued</th><th>Let go</th><th>Mean wait</th><th>Longest wait</th><th>Timed out</th>")
                .append("</tr></thead><tbody>");
        for (int i = q.classes().size() - 1; i >= 0; i--) {
            PriorityClassStats c = q.classes().get(i);
            out.append("<tr data-priority=\"").append(c.priority()).append("\"><td>").append(c.priority())
                    .append(c.priority() == 0 ? " <span class=\"tag\">no rule</span>" : "").append("</td><td>")
                    .append(HumanUnits.count(c.tunnels())).append("</td><td>").append(HumanUnits.count(c.queued()))
                    .append("</td><td>").append(HumanUnits.count(c.queuedTotal())).append("</td><td>")
                    .append(HumanUnits.count(c.dequeued())).append("</td><td>")
                    .append(c.dequeued() == 0 ? NONE : HumanUnits.duration(c.meanWaitNanos())).append("</td><td>")
                    .append(c.dequeued() == 0 ? NONE : HumanUnits.duration(c.maxWaitNanos())).append("</td><td>")
                    .append(c.timedOut() == 0 ? "0"
                            : "<span class=\"rej\">" + HumanUnits.count(c.timedOut()) + "</span>")
                    .append("</td></tr>");
        }
        out.append("</tbody></table>");
    }

    private void history(BackendStats b) {
        if (b.healthChanges().isEmpty()) {
            return;
        }
        out.append("<ul class=\"history\">");
        for (HealthChange c : b.healthChanges()) {
            String status = c.up() ? "up" : "down";
            out.append("<li><span class=\"pill st-").append(status).append("\">").append(statusLabel(status))
                    .append("</span><b>").append(esc(c.server())).append("</b> ")
                    .append(TIME.format(Instant.ofEpochMilli(c.atMillis()))).append(" <span class=\"muted\">(")
                    .append(HumanUnits.ago(c.atMillis(), s.takenAtMillis())).append(")</span> &middot; ")
                    .append(esc(c.reason())).append("</li>");
        }
        out.append("</ul>");
    }

    private void loops() {
        out.append("<section><h2>Event loops</h2><table><thead><tr><th>Loop</th><th>Tunnels</th>")
                .append("<th class=\"l\">Busy</th><th>Buffers in use</th><th>Idle</th><th>Allocated</th></tr></thead><tbody>");
        for (LoopStats l : s.loops()) {
            String heat = l.busyRatio() >= 0.9 ? " hot" : l.busyRatio() >= 0.7 ? " warn" : "";
            out.append("<tr><td>").append(l.index()).append("</td><td>").append(HumanUnits.count(l.tunnels()))
                    .append("</td><td class=\"l\"><span class=\"bar").append(heat).append("\"><i style=\"width:")
                    .append(Math.round(l.busyRatio() * 100)).append("%\"></i></span>")
                    .append(rate(HumanUnits.percent(l.busyRatio()))).append("</td><td>")
                    .append(HumanUnits.count(l.buffersInUse())).append("</td><td>")
                    .append(HumanUnits.count(l.buffersIdle())).append("</td><td>")
                    .append(HumanUnits.count(l.buffersCreated())).append("</td></tr>");
        }
        out.append("</tbody></table></section>");
    }

    /** Live connections with their peak underneath, the limit, the total and its rate. */
    private void connectionCells(Traffic t) {
        out.append("<td>").append(HumanUnits.count(t.connections())).append("<small data-peak>peak ")
                .append(HumanUnits.count(t.peakConnections())).append("</small></td><td>")
                .append(t.maxConnections() > 0 ? HumanUnits.count(t.maxConnections()) : NONE).append("</td><td>")
                .append(HumanUnits.count(t.totalConnections())).append("</td><td>")
                .append(rate(HumanUnits.perSecond(t.connectionRate()))).append("</td>");
    }

    /** Bytes each way, each with its rate underneath. */
    private void byteCells(Traffic t) {
        out.append("<td>").append(HumanUnits.bytes(t.bytesIn())).append("<small>")
                .append(rate(HumanUnits.bytesPerSecond(t.bytesInRate()))).append("</small></td><td>")
                .append(HumanUnits.bytes(t.bytesOut())).append("<small>")
                .append(rate(HumanUnits.bytesPerSecond(t.bytesOutRate()))).append("</small></td>");
    }

    /** Failed connects, with the retries and redispatches they caused underneath. */
    private void errorCell(Traffic t) {
        out.append("<td>").append(t.connectErrors() == 0 ? "0" : "<span class=\"rej\">"
                + HumanUnits.count(t.connectErrors()) + "</span>");
        if (t.retries() > 0 || t.redispatches() > 0) {
            out.append("<small>").append(HumanUnits.count(t.retries())).append(" retried");
            if (t.redispatches() > 0) {
                out.append(" &middot; ").append(HumanUnits.count(t.redispatches())).append(" redispatched");
            }
            out.append("</small>");
        }
        out.append("</td>");
    }

    /** The terminations that happened, most frequent first, folded away. */
    private void endings(String titleHtml, Terminations ends) {
        long total = ends.total();
        if (total == 0) {
            return;
        }
        out.append("<details><summary>").append(titleHtml).append(" (").append(HumanUnits.count(total))
                .append(")</summary><table><tbody>");
        ends.counts().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<Termination, Long>comparingByValue().reversed())
                .forEach(e -> {
                    RejectReason r = RejectReason.of(e.getKey());
                    out.append("<tr><td class=\"l\">").append(e.getKey().name().toLowerCase(Locale.ROOT))
                            .append("</td><td>").append(HumanUnits.count(e.getValue())).append("</td><td class=\"l muted\">")
                            .append(r == null ? "" : "rejected: " + r.label()).append("</td></tr>");
                });
        out.append("</tbody></table></details>");
    }

    /** Non-zero reject groups, e.g. "limit 3 · timeout 1". */
    private static String breakdown(Map<RejectReason, Long> rejects) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<RejectReason, Long> e : rejects.entrySet()) {
            if (e.getValue() > 0) {
                if (sb.length() > 0) {
                    sb.append(" &middot; ");
                }
                sb.append(e.getKey().label().replace('_', ' ')).append(' ').append(HumanUnits.count(e.getValue()));
            }
        }
        return sb.toString();
    }

    /** What a person wants to know first: maintenance, down, draining, weight 0, warming, up. */
    static String status(ServerStats server) {
        if (server.state() == ServerState.MAINTENANCE) {
            return "maint";
        }
        if (!server.up()) {
            return "down";
        }
        if (server.state() == ServerState.DRAIN) {
            return "drain";
        }
        if (server.configuredWeight() == 0) {
            return "off";
        }
        return server.warmingUp() ? "warming" : "up";
    }

    private static String statusLabel(String status) {
        return switch (status) {
            case "maint" -> "MAINT";
            case "off" -> "WEIGHT 0";
            default -> status.toUpperCase(Locale.ROOT);
        };
    }

    /** A rate, or a dash while the snapshot has no interval to measure it over. */
    private String rate(String formatted) {
        return s.hasRates() ? formatted : NONE;
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
