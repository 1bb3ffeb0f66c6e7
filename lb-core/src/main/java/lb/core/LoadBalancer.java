package lb.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import lb.core.config.Pacing;
import lb.core.engine.EventLoopGroup;
import lb.core.engine.LiveBackend;
import lb.core.engine.LiveFrontend;
import lb.core.engine.ServerSlots;
import lb.core.engine.StatsCollector;
import lb.core.model.AcceptMode;
import lb.core.model.LoopFailure;
import lb.core.model.TunnelListener;
import lb.core.stats.StatsSnapshot;
import lb.core.time.Clock;

/**
 * A running load balancer: its frontends, backends and event loops. The only entry point;
 * made by {@link #builder()}. {@link #start()}, {@link #shutdown(Duration)} and
 * {@link #close()} may be called from any thread, once each.
 */
public final class LoadBalancer implements AutoCloseable {

    private final EventLoopGroup loops;
    private final ServerSlots slots;
    private final Clock clock;
    private final AcceptMode acceptMode;
    private final int bufferSize;
    private final StatsCollector.History statsHistory = new StatsCollector.History();
    /** The running frontends and backends; each list swapped whole, with the views made of it. */
    private volatile List<LiveFrontend> frontends;
    private volatile List<LiveBackend> backends;
    private volatile List<Frontend> frontendViews;
    private volatile List<Backend> backendViews;
    /** Every frontend ever, removed ones included, so counter indexes are never reused. */
    private final List<LiveFrontend> everyFrontend;
    private volatile boolean started;
    private volatile boolean stopped;

    LoadBalancer(ServerSlots slots, List<LiveFrontend> frontends, List<LiveBackend> backends, int eventLoops, int maxConnections, long memoryBudget,
                 int bufferSize, int maxIdleBuffersPerLoop, int tlsHandshakesPerLoop, AcceptMode acceptMode,
                 List<TunnelListener> listeners, Clock clock, java.util.function.Consumer<LoopFailure> onLoopFailure) {
        this.slots = slots;
        this.clock = clock;
        this.everyFrontend = new java.util.ArrayList<>(frontends);
        setFrontends(frontends);
        setBackends(backends);
        this.acceptMode = acceptMode;
        this.bufferSize = bufferSize;
        this.loops = new EventLoopGroup(eventLoops, maxConnections, memoryBudget, bufferSize, maxIdleBuffersPerLoop,
                tlsHandshakesPerLoop, acceptMode, listeners, backends.size(), clock, onLoopFailure);
    }

    public static LoadBalancerBuilder builder() {
        return new LoadBalancerBuilder();
    }

    /** Binds every frontend and starts the loops; throws naming the address if a bind fails. */
    public synchronized LoadBalancer start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        List<List<InetSocketAddress>> bound = loops.start(frontends, threadNamePrefix());
        for (int i = 0; i < frontends.size(); i++) {
            frontends.get(i).bound(bound.get(i));
        }
        for (LiveBackend b : backends) {
            b.start(loops);
        }
        return this;
    }

    /**
     * Applies a whole new configuration as a diff, without touching established tunnels or
     * the listening sockets of addresses that stay. Returns every difference, each applied or
     * reported as not applied (it needs a restart, say). An invalid configuration, or a listen
     * address that is taken, throws before anything changes.
     */
    public synchronized Reconfigured apply(LoadBalancerBuilder next) {
        if (!started || stopped) {
            throw new IllegalStateException("apply needs a running load balancer");
        }
        return Reconfiguration.apply(this, next);
    }

    /** Counter slots held by servers (and by removed ones whose counts are still being cleared). */
    int serverSlotsInUse() {
        return slots.inUse();
    }

    AcceptMode acceptMode() {
        return acceptMode;
    }

    int bufferSize() {
        return bufferSize;
    }

    private void setFrontends(List<LiveFrontend> next) {
        List<Frontend> views = new java.util.ArrayList<>();
        for (LiveFrontend f : next) {
            views.add(new Frontend(f));
        }
        frontends = List.copyOf(next);
        frontendViews = List.copyOf(views);
    }

    private void setBackends(List<LiveBackend> next) {
        List<Backend> views = new java.util.ArrayList<>();
        for (LiveBackend b : next) {
            views.add(new Backend(b));
        }
        backends = List.copyOf(next);
        backendViews = List.copyOf(views);
    }

    /**
     * What this load balancer's event-loop thread names start with (the loop's index follows),
     * for thread dumps and per-thread CPU accounting. Unique per instance, with no counter
     * shared between load balancers.
     */
    public String threadNamePrefix() {
        return "lb-" + Integer.toHexString(System.identityHashCode(this)) + "-loop-";
    }

    EventLoopGroup loops() {
        return loops;
    }

    LiveBackend backendOrNull(String name) {
        for (LiveBackend b : backends) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    LiveFrontend frontendOrNull(String name) {
        for (LiveFrontend f : frontends) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    void addBackend(BackendBuilder spec) {
        LiveBackend b = new LiveBackend(spec.name, backends.size(), spec.policy(), spec.servers, slots, clock);
        List<LiveBackend> next = new java.util.ArrayList<>(backends);
        next.add(b);
        setBackends(next);
        b.start(loops);
    }

    void addFrontend(FrontendBuilder spec, java.util.function.Function<String, LiveBackend> backends) {
        int index = 0;
        for (LiveFrontend existing : everyFrontend) {
            index = Math.max(index, existing.index() + 1);
        }
        LiveFrontend f = LoadBalancerBuilder.frontend(spec, index, backends);
        everyFrontend.add(f);
        f.bound(loops.listen(f, f.listenAddresses()));
        List<LiveFrontend> next = new java.util.ArrayList<>(frontends);
        next.add(f);
        setFrontends(next);
    }

    void removeFrontend(LiveFrontend f) {
        loops.unlisten(f, f.listenAddresses());
        List<LiveFrontend> next = new java.util.ArrayList<>(frontends);
        next.remove(f);
        setFrontends(next);
    }

    /** Moves {@code f} to the addresses {@code all}: binds {@code added}, closes {@code removed}. */
    void relisten(LiveFrontend f, List<InetSocketAddress> all, List<InetSocketAddress> added, List<InetSocketAddress> removed) {
        List<InetSocketAddress> newlyBound = added.isEmpty() ? List.of() : loops.listen(f, added);
        if (!removed.isEmpty()) {
            loops.unlisten(f, removed);
        }
        List<InetSocketAddress> bound = new java.util.ArrayList<>();
        for (InetSocketAddress a : all) {
            int i = added.indexOf(a);
            bound.add(i >= 0 ? newlyBound.get(i) : f.boundAddresses().get(f.listenAddresses().indexOf(a)));
        }
        f.listenAddresses(all);
        f.bound(bound);
    }

    /**
     * Stops accepting at once, lets established tunnels finish for up to {@code grace}, then
     * ends the rest (their events say {@code SHUTDOWN}) and stops the loops. Tunnels whose
     * packets frame end cleanly (for MQTT: a DISCONNECT to the broker in the client's name, and
     * "server shutting down" to a 5.0 client), which may take up to two seconds more; a zero
     * grace closes everything at once.
     */
    public synchronized void shutdown(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (started) {
            loops.shutdown(grace);
        } else {
            loops.closeUnstarted();
        }
    }

    /**
     * Stops accepting at once and ends established tunnels itself at {@code pacing}'s pace (so
     * clients reconnect elsewhere a few at a time, not all together), those left when its grace
     * is over all at once; then stops the loops. Ends are clean as for {@link #shutdown(Duration)}.
     */
    public synchronized void shutdown(Pacing pacing) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (started) {
            loops.shutdown(pacing);
        } else {
            loops.closeUnstarted();
        }
    }

    /** Stops at once: {@code shutdown(Duration.ZERO)}. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    public List<Frontend> frontends() {
        return frontendViews;
    }

    public List<Backend> backends() {
        return backendViews;
    }

    /** The frontend called {@code name}; throws if there is none. */
    public Frontend frontend(String name) {
        for (Frontend f : frontendViews) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no frontend '" + name + "'");
    }

    /** The backend called {@code name}; throws if there is none. */
    public Backend backend(String name) {
        for (Backend b : backendViews) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no backend '" + name + "'");
    }

    /**
     * Counters and gauges of every frontend, backend, server and event loop, the loops'
     * counters summed now. Any thread; never waits for a loop. Rates cover the time since an
     * earlier snapshot (see {@link StatsSnapshot}).
     */
    public StatsSnapshot stats() {
        return StatsCollector.collect(frontends, backends, loops, statsHistory);
    }

}
