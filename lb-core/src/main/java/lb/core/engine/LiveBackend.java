package lb.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import lb.core.balance.Balancer;
import lb.core.balance.ServerSet;
import lb.core.config.BackendPolicy;
import lb.core.config.Pacing;
import lb.core.config.Rebalance;
import lb.core.config.ServerSpec;
import lb.core.health.HealthCheck;
import lb.core.limit.BackendQueue;
import lb.core.limit.ConnectRate;
import lb.core.limit.Peak;
import lb.core.model.Server;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.stats.RebalanceStats;
import lb.core.stick.StickTable;
import lb.core.tls.UpstreamEngines;
import lb.core.time.Clock;

/**
 * A backend as the engine runs it: servers behind one balancing algorithm, with its policy
 * (connect policy, server timeout, optional stick table, health check) and its queue.
 *
 * <p>Thread-safe, and changeable at run time: the server list is copy-on-write, the policy an
 * immutable {@link BackendPolicy} swapped whole, and the usable-server snapshot republished
 * whenever a server changes. Established tunnels keep their server; new tunnels see the change.
 */
public final class LiveBackend {
    private static final System.Logger LOG = System.getLogger(LiveBackend.class.getName());

    private final String name;
    private final int index;
    private final BackendQueue queue;
    private volatile BackendPolicy policy;
    private volatile List<LiveServer> servers;
    private volatile Map<String, LiveServer> serversByName;
    private volatile ServerSet usable = new ServerSet(0, List.of());
    private volatile HealthMonitor monitor;
    /** Makes each tunnel's server-side TLS engine when the backend re-encrypts; else null. */
    private volatile UpstreamEngines upstreamTls;
    private volatile EventLoopGroup loops;
    private final ServerSlots slots;
    private final Clock clock;
    /** The backend-wide bucket of new connections ({@code policy.maxConnectRate()}). */
    private final ConnectRate connectRate = new ConnectRate();
    /** Slots taken on its servers, for the peak only: the live figure adds the servers' counts. */
    private final AtomicInteger slotsTaken = new AtomicInteger();
    private final Peak peak = new Peak();
    /** Wakes queued tunnels as the connect rates allow more; armed while it runs. */
    private final RateWake rateWake = new RateWake();
    private volatile Rebalancing rebalancing;
    /** Servers added at run time, waiting to be up before the backend rebalances by itself. */
    private final RebalanceOnAdd rebalanceOnAdd = new RebalanceOnAdd(this);

    public LiveBackend(String name, int index, BackendPolicy policy, List<ServerSpec> servers, ServerSlots slots,
                       Clock clock) {
        this.name = name;
        this.index = index;
        this.slots = slots;
        this.clock = clock;
        this.queue = new BackendQueue(policy.maxQueue(), policy.queuePriorityBurst());
        this.policy = policy;
        this.upstreamTls = policy.tls() == null ? null : new UpstreamEngines(policy.tls());
        List<LiveServer> made = new ArrayList<>();
        for (ServerSpec spec : servers) {
            LiveServer s = new LiveServer(spec);
            s.attach(this, slots.take(), clock);
            made.add(s);
        }
        setServers(made);
    }

    public String name() {
        return name;
    }

    /** Position among the load balancer's backends; loops index their balancers by it. */
    public int index() {
        return index;
    }

    /** The servers now, in configuration order (a snapshot). */
    public List<LiveServer> servers() {
        return servers;
    }

    /** The server called {@code name}, or null. */
    public LiveServer server(String serverName) {
        return serversByName.get(serverName);
    }

    /** The servers taking new tunnels now. */
    public ServerSet usableServers() {
        return usable;
    }

    /** The connect policy, timeouts, balancer, table and check in force now. */
    public BackendPolicy policy() {
        return policy;
    }

    /** The balancer factory; loops compare it by identity to know when to rebuild theirs. */
    public Supplier<? extends Balancer> balancerFactory() {
        return policy.balancerFactory();
    }

    /** The stick table, or null when the backend does not stick. */
    public StickTable stickTable() {
        return policy.stickTable();
    }

    public long connectTimeoutNs() {
        return policy.connectTimeoutNs();
    }

    /** Longest silence from the server before the tunnel closes; 0 = none. */
    public long serverTimeoutNs() {
        return policy.serverTimeoutNs();
    }

    public int retries() {
        return policy.retries();
    }

    public boolean redispatch() {
        return policy.redispatch();
    }

    public long queueTimeoutNs() {
        return policy.queueTimeoutNs();
    }

    /** The TLS engines for servers when the backend re-encrypts, else null. */
    UpstreamEngines upstreamTls() {
        return upstreamTls;
    }

    public BackendQueue queue() {
        return queue;
    }

    /** The health check, or null when servers are not checked (they stay up). */
    public HealthCheck healthCheck() {
        return policy.healthCheck();
    }

    /** Starts health checks on the loops; called by the load balancer's start. */
    public void start(EventLoopGroup group) {
        this.loops = group;
        group.afterLoopFailure(this::restartHealthChecks); // probes of a dead loop move to live ones
        restartHealthChecks();
    }

    private synchronized void restartHealthChecks() {
        HealthMonitor old = monitor;
        if (old != null) {
            old.stop();
        }
        HealthCheck check = policy.healthCheck();
        List<EventLoop> live = loops == null ? List.of() : loops.liveLoops();
        if (check == null || live.isEmpty()) {
            monitor = null;
            return;
        }
        HealthMonitor m = new HealthMonitor(this, check, live);
        monitor = m;
        m.start();
    }

    /** Replaces the policy; tunnels already connected keep going, new ones follow it. */
    public synchronized void policy(BackendPolicy next) {
        BackendPolicy before = policy;
        if (!java.util.Objects.equals(before.tls(), next.tls())) {
            upstreamTls = next.tls() == null ? null : new UpstreamEngines(next.tls());
        }
        policy = next;
        queue.maxQueue(next.maxQueue());
        queue.burst(next.queuePriorityBurst());
        if (before.healthCheck() != next.healthCheck()) {
            restartHealthChecks();
        }
    }

    /**
     * Adds a server at run time; it takes new tunnels at once (after its checks, if any). A
     * server of that name still draining at the same address is kept instead: its removal is
     * cancelled and it takes the new settings.
     */
    public synchronized LiveServer adopt(ServerSpec spec) {
        LiveServer s = new LiveServer(spec);
        LiveServer existing = serversByName.get(s.name());
        if (existing != null && existing.isBeingRemoved() && existing.address().equals(s.address())) {
            cancelRemoval(existing);
            existing.weight(s.configuredWeight());
            existing.maxConnections(s.maxConnections());
            existing.state(s.state());
            return existing;
        }
        if (existing != null) {
            throw new IllegalArgumentException("backend '" + name + "': duplicate server name '" + s.name() + "'"
                    + (existing.isBeingRemoved() ? " (still draining from " + existing.address()
                    + "; re-add it at the same address, or wait until it is gone)" : ""));
        }
        s.attach(this, slots.take(), clock);
        List<LiveServer> next = new ArrayList<>(servers);
        next.add(s);
        setServers(next);
        HealthMonitor m = monitor;
        if (m != null) {
            m.watch(s);
        }
        EventLoopGroup group = loops;
        if (policy.rebalanceOnAdd() != null && group != null) {
            rebalanceOnAdd.added(s, group);
        }
        return s;
    }

    /**
     * Removes a server: it takes no new tunnels at once (drain), its tunnels may finish for up
     * to {@code drain}, then those left are ended ({@code SERVER_REMOVED}: cleanly where their
     * packets frame, within {@link Tunnel#ENDING_NS}) and it is gone. The future completes when
     * it is. Adding the server back at the same address before then cancels the removal (the
     * future is cancelled) and keeps its tunnels; removing it again meanwhile returns the same
     * future.
     */
    public CompletableFuture<Void> removeServer(String serverName, Duration drain) {
        return remove(serverName, drain.toNanos(), null);
    }

    /**
     * Removes a server as {@link #removeServer(String, Duration)} does, but ends its tunnels
     * itself at {@code pacing}'s pace over its grace, instead of waiting for them to finish.
     */
    public CompletableFuture<Void> removeServer(String serverName, Pacing pacing) {
        return remove(serverName, pacing.grace().toNanos(), pacing);
    }

    private synchronized CompletableFuture<Void> remove(String serverName, long graceNs, Pacing pacing) {
        LiveServer s = serversByName.get(serverName);
        if (s == null) {
            throw new IllegalArgumentException("backend '" + name + "': no server '" + serverName + "'");
        }
        if (s.isBeingRemoved()) {
            return s.removal();
        }
        CompletableFuture<Void> removed = new CompletableFuture<>();
        s.removal(removed);
        s.state(ServerState.DRAIN);
        EventLoopGroup group = loops;
        if (group == null) {
            forget(s, removed);
            removed.complete(null);
            return removed;
        }
        long perSecond = pacing == null ? 0 : pacing.clientsPerSecondFor(s.connections());
        PacedEnding ending = new PacedEnding(group, Termination.SERVER_REMOVED, s.name() + " removed", perSecond, graceNs,
                true) {
            @Override
            boolean takes(Tunnel t) {
                return t.server() == s;
            }

            @Override
            boolean isEmpty() {
                return s.connections() == 0;
            }
        };
        removed.whenComplete((v, e) -> ending.stop()); // re-added meanwhile: its tunnels stay
        ending.start().thenRun(() -> {
            if (forget(s, removed)) {
                for (EventLoop loop : group.loops()) {
                    loop.execute(() -> loop.cutTunnelsOf(s, Termination.SERVER_REMOVED,
                            s.name() + " removed; still open after its clean end"));
                }
                removed.complete(null);
            }
        });
        return removed;
    }

    /**
     * Evens out the servers' clients as {@code how} says (see {@link Rebalancer}). One at a time:
     * while one runs, asking again returns it. The future completes with what was moved.
     */
    public CompletableFuture<RebalanceStats> rebalance(Rebalance how) {
        return rebalance(how, "asked");
    }

    /** As {@link #rebalance(Rebalance)}, saying why in its stats and log lines. */
    synchronized CompletableFuture<RebalanceStats> rebalance(Rebalance how, String cause) {
        if (isRebalancing()) {
            return rebalancing.future;
        }
        EventLoopGroup group = loops;
        if (group == null) {
            throw new IllegalStateException("backend '" + name + "': rebalance needs a running load balancer");
        }
        CompletableFuture<RebalanceStats> done = new CompletableFuture<>();
        Rebalancer r = Rebalancer.start(group, this, how, cause, done);
        rebalancing = new Rebalancing(r, done);
        RebalanceStats plan = r.stats();
        LOG.log(System.Logger.Level.INFO, () -> "rebalance_started backend=" + name + " cause=\"" + cause + "\" planned="
                + plan.planned() + " from=" + plan.from() + " to=" + plan.to() + " tolerance=" + how.tolerance()
                + " rate=" + how.clientsPerSecond() + "/s");
        done.thenAccept(s -> LOG.log(System.Logger.Level.INFO, () -> "rebalance_ended backend=" + name + " cause=\""
                + cause + "\" planned=" + s.planned() + " moved=" + s.moved() + " ms="
                + (System.currentTimeMillis() - s.startedAtMillis())));
        return done;
    }

    /** True while a rebalance is moving clients. */
    boolean isRebalancing() {
        Rebalancing r = rebalancing;
        return r != null && !r.future.isDone();
    }

    /** The servers added at run time still waiting to be up before the backend rebalances by itself. */
    public List<String> awaitingRebalance() {
        return rebalanceOnAdd.waiting();
    }

    /** The latest rebalance's progress, or null if none ran. */
    public RebalanceStats rebalanceStats() {
        Rebalancing r = rebalancing;
        return r == null ? null : r.rebalancer.stats();
    }

    private record Rebalancing(Rebalancer rebalancer, CompletableFuture<RebalanceStats> future) {
    }

    /** Stops a pending removal of {@code s}; its tunnels stay. */
    public synchronized void cancelRemoval(LiveServer s) {
        CompletableFuture<Void> pending = s.removal();
        if (pending != null) {
            s.removal(null);
            pending.cancel(false);
        }
    }

    /** Takes {@code s} out for good, unless its removal was cancelled; true if it did. */
    private synchronized boolean forget(LiveServer s, CompletableFuture<Void> removed) {
        if (s.removal() != removed) {
            return false; // re-added while it drained
        }
        s.removal(null);
        HealthMonitor m = monitor;
        if (m != null) {
            m.unwatch(s);
        }
        List<LiveServer> next = new ArrayList<>(servers);
        next.remove(s);
        setServers(next);
        freeSlot(s.slot());
        return true;
    }

    /**
     * Gives a removed server's counter slot back once every loop cleared its counts there (after
     * the commands that close its last tunnels, which loops run in order).
     */
    private void freeSlot(int slot) {
        EventLoopGroup group = loops;
        if (group == null) {
            slots.give(slot);
            return;
        }
        List<EventLoop> all = group.loops();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(all.size());
        for (EventLoop loop : all) {
            loop.execute(() -> {
                loop.counters().clearServer(slot);
                if (left.decrementAndGet() == 0) {
                    slots.give(slot);
                }
            });
        }
    }

    private void setServers(List<LiveServer> next) {
        Map<String, LiveServer> byName = new LinkedHashMap<>();
        for (LiveServer s : next) {
            byName.put(s.name(), s);
        }
        servers = List.copyOf(next);
        serversByName = Map.copyOf(byName);
        publishServerSet();
    }

    /**
     * Forces {@code server}'s health, as if checks had found it so (for tests and operators);
     * later checks may change it back. Without health checks the state simply stays.
     */
    public void forceHealth(LiveServer server, boolean up, String reason) {
        HealthMonitor m = monitor;
        if (m != null) {
            m.force(server, up, reason);
        } else {
            server.health(up, reason, Duration.ZERO);
        }
    }

    /** A tunnel could not connect to {@code server}: feeds passive health observation. */
    public void onConnectFailed(LiveServer server) {
        HealthMonitor m = monitor;
        if (m != null) {
            m.onConnectFailed(server);
        }
    }

    /** Republishes the usable set (weights changed over time, e.g. during slow start). */
    public void republish() {
        publishServerSet();
    }

    /** True if some usable server is below its connection limit. */
    public boolean hasFreeSlot() {
        for (Server s : usable.servers()) {
            if (!s.isFull()) {
                return true;
            }
        }
        return false;
    }

    synchronized void publishServerSet() {
        List<Server> now = new ArrayList<>(servers.size());
        for (LiveServer s : servers) {
            if (s.isUsable()) {
                now.add(s);
            }
        }
        usable = new ServerSet(usable.version() + 1, now);
        if (queue.size() > 0 && hasFreeSlot()) {
            queue.wakeNext();
        }
    }

    /** The backend-wide bucket of new connections. */
    public ConnectRate connectRate() {
        return connectRate;
    }

    /** The backend-wide connect rate limit; 0: none. */
    public int maxConnectRate() {
        return policy.maxConnectRate();
    }

    /**
     * Takes a new connection to {@code s} from its connect rate and the backend's: answers null,
     * or (taking nothing) the bucket that is spent for now. Any loop.
     */
    ConnectRate admit(LiveServer s, long nowNs) {
        int serverRate = s.connectRateNow();
        if (!s.connectRate().tryTake(nowNs, serverRate)) {
            return s.connectRate();
        }
        if (!connectRate.tryTake(nowNs, policy.maxConnectRate())) {
            s.connectRate().giveBack(serverRate);
            return connectRate;
        }
        return null;
    }

    /** Returns what {@link #admit} took, for a tunnel that did not use it. */
    void giveBack(LiveServer s) {
        s.connectRate().giveBack(s.connectRateNow());
        connectRate.giveBack(policy.maxConnectRate());
    }

    /**
     * A tunnel waits for a connect rate: makes sure {@code loop} (or whichever loop already
     * does) wakes queued tunnels as the rates allow more.
     */
    void wakeForRate(EventLoop loop) {
        if (rateWake.armed.compareAndSet(false, true)) {
            rateWake.loop = loop;
            loop.timers().schedule(rateWake, loop.nowNs() + RATE_TICK_NS);
        }
    }

    private static final long RATE_TICK_NS = 10_000_000L;
    /** Tunnels woken per tick at most, so a huge queue cannot stall the loop running the wake. */
    private static final int RATE_WAKE_LIMIT = 1024;

    /**
     * Every tick while tunnels wait, wakes as many queued tunnels as the servers' and the
     * backend's rates have room for now; each retries on its own loop and goes back to the head
     * of the queue if it loses. Runs on the loop that armed it, until the queue is empty.
     */
    private final class RateWake extends TimerWheel.Timeout {
        final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        EventLoop loop;

        @Override
        protected void onTimeout(long nowNs) {
            int waiting = queue.size();
            if (waiting == 0) {
                armed.set(false);
                if (queue.size() == 0 || !armed.compareAndSet(false, true)) {
                    return; // a tunnel queued meanwhile armed it again, or none is waiting
                }
            }
            int room = Math.min(waiting, roomNow(nowNs));
            for (int i = 0; i < room; i++) {
                queue.wakeNext();
            }
            loop.timers().schedule(this, nowNs + RATE_TICK_NS);
        }

        private int roomNow(long nowNs) {
            long servers = 0;
            for (LiveServer s : LiveBackend.this.servers) {
                if (s.isUsable()) {
                    servers += s.connectRate().available(nowNs, s.connectRateNow());
                }
            }
            long room = Math.min(servers, connectRate.available(nowNs, policy.maxConnectRate()));
            return (int) Math.min(RATE_WAKE_LIMIT, Math.max(1, room));
        }
    }

    /** One of its servers took a slot (once per tunnel connect, never per byte). */
    void onSlotTaken() {
        peak.observe(slotsTaken.incrementAndGet());
    }

    /** The most live tunnels on its servers at once since the start. */
    public int peakConnections() {
        return peak.get();
    }

    void onSlotFreed() {
        slotsTaken.decrementAndGet();
        if (queue.size() > 0) {
            queue.wakeNext();
        }
    }
}
