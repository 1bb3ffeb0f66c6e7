package lb.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import lb.core.loop.EventLoopGroup;
import lb.core.stats.StatsSnapshot;
import lb.core.stats.TunnelListener;
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
    private volatile List<Frontend> frontends;
    private volatile List<Backend> backends;
    /** Every frontend ever, removed ones included, so counter indexes are never reused. */
    private final List<Frontend> everyFrontend;
    private volatile boolean started;
    private volatile boolean stopped;

    LoadBalancer(ServerSlots slots, List<Frontend> frontends, List<Backend> backends, int eventLoops, int maxConnections, long memoryBudget,
                 int bufferSize, int maxIdleBuffersPerLoop, AcceptMode acceptMode,
                 List<TunnelListener> listeners, Clock clock, java.util.function.Consumer<LoopFailure> onLoopFailure) {
        this.slots = slots;
        this.clock = clock;
        this.frontends = frontends;
        this.everyFrontend = new java.util.ArrayList<>(frontends);
        this.backends = backends;
        this.acceptMode = acceptMode;
        this.bufferSize = bufferSize;
        this.loops = new EventLoopGroup(eventLoops, maxConnections, memoryBudget, bufferSize, maxIdleBuffersPerLoop,
                acceptMode, listeners, backends.size(), clock, onLoopFailure);
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
        List<List<InetSocketAddress>> bound = loops.start(frontends,
                "lb-" + Integer.toHexString(System.identityHashCode(this)) + "-loop-"); // no shared counter between balancers
        for (int i = 0; i < frontends.size(); i++) {
            frontends.get(i).bound(bound.get(i));
        }
        for (Backend b : backends) {
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

    Backend backendOrNull(String name) {
        for (Backend b : backends) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    Frontend frontendOrNull(String name) {
        for (Frontend f : frontends) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    void addBackend(BackendBuilder spec) {
        Backend b = new Backend(spec, backends.size(), slots, clock);
        List<Backend> next = new java.util.ArrayList<>(backends);
        next.add(b);
        backends = List.copyOf(next);
        b.start(loops);
    }

    void addFrontend(FrontendBuilder spec, Backend backend) {
        int index = 0;
        for (Frontend existing : everyFrontend) {
            index = Math.max(index, existing.index() + 1);
        }
        Frontend f = new Frontend(spec, backend, index);
        everyFrontend.add(f);
        f.bound(loops.listen(f, f.listenAddresses()));
        List<Frontend> next = new java.util.ArrayList<>(frontends);
        next.add(f);
        frontends = List.copyOf(next);
    }

    void removeFrontend(Frontend f) {
        loops.unlisten(f, f.listenAddresses());
        List<Frontend> next = new java.util.ArrayList<>(frontends);
        next.remove(f);
        frontends = List.copyOf(next);
    }

    /** Moves {@code f} to the addresses {@code all}: binds {@code added}, closes {@code removed}. */
    void relisten(Frontend f, List<InetSocketAddress> all, List<InetSocketAddress> added, List<InetSocketAddress> removed) {
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
     * closes the rest (their events say {@code SHUTDOWN}) and stops the loops.
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

    /** Stops at once: {@code shutdown(Duration.ZERO)}. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    public List<Frontend> frontends() {
        return frontends;
    }

    public List<Backend> backends() {
        return backends;
    }

    /** The frontend called {@code name}; throws if there is none. */
    public Frontend frontend(String name) {
        for (Frontend f : frontends) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no frontend '" + name + "'");
    }

    /** The backend called {@code name}; throws if there is none. */
    public Backend backend(String name) {
        for (Backend b : backends) {
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
        return StatsSnapshot.of(this);
    }

    /** The event loops, for stats and tests. */
    public EventLoopGroup eventLoops() {
        return loops;
    }
}
