package lb.core.engine;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;

import lb.core.limit.BackendQueue;
import lb.core.limit.ConnectionLimit;
import lb.core.limit.MemoryBudget;
import lb.core.limit.SourceTable;
import lb.core.stats.BackendStats;
import lb.core.stats.BuildInfo;
import lb.core.stats.FrontendStats;
import lb.core.stats.HostPort;
import lb.core.stats.KernelListenStats;
import lb.core.stats.ListenerStats;
import lb.core.stats.LoopStats;
import lb.core.stats.MemoryStats;
import lb.core.stats.PriorityClassStats;
import lb.core.stats.ProcessStats;
import lb.core.stats.QueueStats;
import lb.core.stats.ServerStats;
import lb.core.stats.SourceTableStats;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.StickTableStats;
import lb.core.stats.Terminations;
import lb.core.stats.TlsStats;
import lb.core.stats.Traffic;
import lb.core.tls.TlsFailure;
import lb.core.stick.StickTable;

/**
 * Takes one {@link StatsSnapshot}: sums every loop's {@link LoopCounters} and reads the live
 * gauges (limits, servers, queues, pools) and the kernel's accept queues (read from
 * {@code /proc} at most once a second, see {@link KernelListenQueues}). Runs on the caller's
 * thread and never asks a loop for anything, so a stuck loop cannot stall it; the loops' plain
 * counters are read racily, which costs at most a few increments of staleness.
 *
 * <p>Rates need an earlier sample of the same load balancer: each keeps its own
 * {@link History}, and its snapshots are taken one at a time (the history is the lock), so
 * two load balancers share nothing.
 */
public final class StatsCollector {
    /** When the JVM started, as Prometheus client libraries report {@code process_start_time_seconds}. */
    private static final long PROCESS_STARTED_AT_MILLIS = ManagementFactory.getRuntimeMXBean().getStartTime();

    /** What one load balancer's snapshots remember between them. */
    public static final class History {
        final RateWindow rates = new RateWindow();
        final HealthHistory health = new HealthHistory();
        final KernelListenQueues kernel = new KernelListenQueues(KernelListenQueues.PROC, System::nanoTime);
    }

    private final List<LiveFrontend> frontends;
    private final List<LiveBackend> backends;
    private final EventLoopGroup group;
    private final History history;
    private final List<EventLoop> loops;
    private final RateWindow.Sample sample;
    private final RateWindow.Sample reference;
    private final long intervalNs;
    private final KernelListenQueues.Sample kernel;

    private StatsCollector(List<LiveFrontend> frontends, List<LiveBackend> backends, EventLoopGroup group,
                           History history, long nowNs) {
        this.frontends = frontends;
        this.backends = backends;
        this.group = group;
        this.history = history;
        this.loops = group.loops();
        this.sample = new RateWindow.Sample(nowNs);
        this.reference = history.rates.reference(nowNs);
        this.intervalNs = reference == null ? 0 : nowNs - reference.nanos;
        this.kernel = history.kernel.sample();
    }

    /** A snapshot of these frontends, backends and loops, rates measured against {@code history}. */
    public static StatsSnapshot collect(List<LiveFrontend> frontends, List<LiveBackend> backends, EventLoopGroup group,
                                        History history) {
        synchronized (history) {
            return new StatsCollector(frontends, backends, group, history, System.nanoTime()).snapshot();
        }
    }

    private StatsSnapshot snapshot() {
        long takenAtMillis = System.currentTimeMillis();
        history.health.observe(backends);
        List<FrontendStats> frontendStats = new ArrayList<>();
        for (LiveFrontend f : frontends) {
            frontendStats.add(frontend(f));
        }
        List<BackendStats> backendStats = new ArrayList<>();
        for (LiveBackend b : backends) {
            backendStats.add(backend(b));
        }
        List<LoopStats> loopStats = new ArrayList<>();
        for (EventLoop l : loops) {
            loopStats.add(loop(l));
        }
        ProcessStats process = process(loopStats);
        history.rates.add(sample);
        return new StatsSnapshot(takenAtMillis, intervalNs, process, loopStats, frontendStats, backendStats);
    }

    private FrontendStats frontend(LiveFrontend f) {
        LoopCounters.Counts c = sum(counters -> counters.frontendOrNull(f.index()));
        ConnectionLimit limit = f.limit();
        List<String> addresses = new ArrayList<>();
        for (InetSocketAddress a : f.boundAddresses()) {
            addresses.add(HostPort.of(a));
        }
        List<ListenerStats> listeners = new ArrayList<>();
        OptionalInt queueLimit = f.acceptQueueLimit();
        for (InetSocketAddress a : f.boundAddresses()) {
            listeners.add(new ListenerStats(HostPort.of(a), f.backlog(), kernel.acceptQueue(a),
                    queueLimit.isPresent() ? OptionalLong.of(queueLimit.getAsInt()) : OptionalLong.empty()));
        }
        SourceTable sources = f.sources();
        return new FrontendStats(f.name(), addresses, f.backend().name(),
                traffic(f, c, limit.count(), limit.max(), limit.peak(), c.bytesIn, c.bytesOut), listeners,
                sources == null ? null : new SourceTableStats(sources.size(), sources.limits().capacity(),
                        sources.uncounted()),
                f.tls() == null ? null : tls(c));
    }

    private static TlsStats tls(LoopCounters.Counts c) {
        java.util.Map<String, Long> failures = new java.util.LinkedHashMap<>();
        for (TlsFailure.Reason r : TlsFailure.Reason.values()) {
            failures.put(r.name().toLowerCase(java.util.Locale.ROOT), c.tlsFailures[r.ordinal()]);
        }
        return new TlsStats(c.tlsHandshakes, failures);
    }

    /**
     * A backend's live connections are its servers' added up; its bytes are counted by the
     * engine, so they survive a server's removal.
     */
    private BackendStats backend(LiveBackend b) {
        List<ServerStats> servers = new ArrayList<>();
        long connections = 0;
        long limit = 0;
        boolean unlimited = false;
        for (LiveServer s : b.servers()) {
            ServerStats stats = server(s);
            servers.add(stats);
            Traffic t = stats.traffic();
            connections += t.connections();
            limit += t.maxConnections();
            unlimited |= t.maxConnections() == 0;
        }
        LoopCounters.Counts c = sum(counters -> counters.backendOrNull(b.index()));
        StickTable table = b.stickTable();
        return new BackendStats(b.name(),
                traffic(b, c, connections, unlimited ? 0 : limit, b.peakConnections(), c.bytesIn, c.bytesOut),
                queue(b),
                table == null ? null : new StickTableStats(table.size(), table.capacity()),
                b.healthCheck() != null, servers, history.health.of(b.name()), b.rebalanceStats(),
                c.connectTime.histogram(), c.queueTime.histogram(), b.awaitingRebalance());
    }

    /** The queue, with each priority class that had a tunnel (class 0 always). */
    private QueueStats queue(LiveBackend b) {
        LoopCounters.ClassCounts c = new LoopCounters.ClassCounts();
        for (EventLoop l : loops) {
            LoopCounters.ClassCounts mine = l.counters().classesOrNull(b.index());
            if (mine != null) {
                c.add(mine);
            }
        }
        BackendQueue q = b.queue();
        List<PriorityClassStats> classes = new ArrayList<>();
        for (int p = 0; p < BackendQueue.CLASSES; p++) {
            int waiting = q.size(p);
            if (p == 0 || c.tunnels[p] > 0 || waiting > 0) {
                classes.add(new PriorityClassStats(p, c.tunnels[p], waiting, c.queued[p], c.dequeued[p], c.timedOut[p],
                        c.waitNs[p], c.maxWaitNs[p]));
            }
        }
        return new QueueStats(q.size(), q.peak(), q.maxQueue(), q.burst(), classes, b.maxConnectRate(),
                b.connectRate().delayed());
    }

    private ServerStats server(LiveServer s) {
        LoopCounters.Counts c = sum(counters -> counters.serverOrNull(s.slot()));
        return new ServerStats(s.name(), HostPort.of(s.address()), s.state(), s.isUp(), s.isUsable(),
                s.isWarmingUp(), s.healthReason(), s.healthChangedAtMillis(), s.downTransitions(),
                s.weight(), s.configuredWeight(), s.sourcePortsExhausted(),
                traffic(s, c, s.connections(), s.maxConnections(), s.peakConnections(), c.bytesIn, c.bytesOut),
                s.maxConnectRate(), s.connectRate().delayed(), c.connectTime.histogram());
    }

    private Traffic traffic(Object counted, LoopCounters.Counts c, long connections, long maxConnections,
                            long peakConnections, long bytesIn, long bytesOut) {
        sample.put(counted, c.tunnels, bytesIn, bytesOut);
        long[] before = earlier(counted, 3);
        return new Traffic(connections, maxConnections, c.tunnels,
                RateWindow.perSecond(c.tunnels, before[0], intervalNs), bytesIn, bytesOut,
                RateWindow.perSecond(bytesIn, before[1], intervalNs),
                RateWindow.perSecond(bytesOut, before[2], intervalNs),
                c.connectErrors, c.retries, c.redispatches, Terminations.of(c.ends),
                Math.max(peakConnections, connections)); // read apart from the live count: never below it
    }

    private LoopStats loop(EventLoop l) {
        long busyNs = l.counters().busyNs();
        sample.put(l, busyNs);
        double ratio = intervalNs <= 0 ? 0
                : Math.min(1, Math.max(0, (busyNs - earlier(l, 1)[0]) / (double) intervalNs));
        // written by the loop, read racily: a gauge may lag by an update
        return new LoopStats(l.index(), l.load(), busyNs, ratio, l.buffersInUse(), l.buffersIdle(), l.buffersCreated(),
                l.isAlive(), l.counters().faults(), l.tlsHandshakes(), l.tlsHandshakesWaiting());
    }

    private ProcessStats process(List<LoopStats> loopStats) {
        int inUse = 0;
        int idle = 0;
        long created = 0;
        double busySum = 0;
        double busiest = 0;
        int live = 0;
        long faults = 0;
        long overBudget = 0;
        for (EventLoop l : loops) {
            overBudget += l.pool().overBudget();
        }
        for (LoopStats l : loopStats) {
            live += l.alive() ? 1 : 0;
            faults += l.faults();
            inUse += l.buffersInUse();
            idle += l.buffersIdle();
            created += l.buffersCreated();
            busySum += l.busyRatio();
            busiest = Math.max(busiest, l.busyRatio());
        }
        ConnectionLimit global = group.limit();
        MemoryBudget budget = group.memoryBudget();
        int bufferSize = loops.isEmpty() ? 0 : loops.get(0).pool().bufferSize();
        return new ProcessStats(loops.size(), global.count(), global.max(), group.tunnelCount(),
                group.acceptErrors(), inUse, idle, created, bufferSize,
                loopStats.isEmpty() ? 0 : busySum / loopStats.size(), busiest, live, faults,
                new MemoryStats(budget.limitBytes(), budget.usedBytes(), budget.refusals(), overBudget),
                new KernelListenStats(kernel.listenOverflows(), kernel.listenDrops(), kernel.takenAtMillis(),
                        kernel.failures()),
                Math.max(global.peak(), global.count()), BuildInfo.current(), PROCESS_STARTED_AT_MILLIS);
    }

    /** The reference sample's counters of {@code counted}; zeros if it is newer than that sample. */
    private long[] earlier(Object counted, int width) {
        long[] before = reference == null ? null : reference.get(counted);
        return before != null ? before : new long[width];
    }

    private LoopCounters.Counts sum(Function<LoopCounters, LoopCounters.Counts> pick) {
        LoopCounters.Counts total = new LoopCounters.Counts();
        for (EventLoop l : loops) {
            LoopCounters.Counts c = pick.apply(l.counters());
            if (c != null) {
                total.add(c);
            }
        }
        return total;
    }
}
