package lb.core;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import lb.core.config.KeyRoute;
import lb.core.engine.LiveBackend;
import lb.core.engine.LiveFrontend;
import lb.core.engine.ServerSlots;
import lb.core.limit.MemoryBudget;
import lb.core.model.AcceptMode;
import lb.core.model.LoopFailure;
import lb.core.model.TunnelListener;
import lb.core.stats.ConnectionLog;
import lb.core.stick.StickTable;
import lb.core.time.Clock;

/**
 * Fluent description of a load balancer; {@link #build()} checks it whole and fails naming the
 * offending field. Defaults: one event loop per available processor, {@link AcceptMode#HANDOFF},
 * 16 KiB buffers with at most 1,024 idle ones kept per loop, a memory budget of half the
 * smaller of the heap and direct-memory limits ({@link MemoryBudget#defaultBytes()}), a global
 * connection limit derived from the process's open-file limit (two descriptors per tunnel, 256
 * kept spare) and from its heap ({@value #HEAP_PER_TUNNEL_BYTES} bytes per tunnel), so the process
 * runs out of neither, and a loop failure only logged (see {@link #onLoopFailure}).
 */
public final class LoadBalancerBuilder {
    private static final int SPARE_DESCRIPTORS = 256;
    /**
     * Heap to allow per tunnel when deriving the default connection limit: an idle tunnel holds
     * about 1.5 KB (mostly the JDK's two socket channels), and a tunnel being set up makes a few
     * KB of garbage; four times the idle size keeps room for churn and the rest of the process.
     */
    static final long HEAP_PER_TUNNEL_BYTES = 6 * 1024;

    int eventLoops = defaultEventLoops();
    int maxConnections = -1;
    long memoryBudget = -1;
    int bufferSize = 16 * 1024;
    int maxIdleBuffersPerLoop = 1024;
    int tlsHandshakesPerLoop = 256;
    AcceptMode acceptMode = AcceptMode.HANDOFF;
    Clock clock = Clock.SYSTEM;
    Consumer<LoopFailure> onLoopFailure = LoadBalancerBuilder::logLoopFailure;
    final Map<String, BackendBuilder> backends = new LinkedHashMap<>();
    final Map<String, FrontendBuilder> frontends = new LinkedHashMap<>();
    final List<TunnelListener> listeners = new ArrayList<>();

    LoadBalancerBuilder() {
    }

    /**
     * Half the processors, rounded up: most of a proxy's work is the kernel's (system calls and the
     * TCP stack run on the calling thread), and fewer loops batch more events per wake-up. On two
     * processors one loop spent about 13% less CPU per relayed message and per connection than two
     * at the same load, with equal throughput; the other processors stay for the network stack,
     * the JIT compiler, the collector and whatever shares the host.
     */
    public static int defaultEventLoops() {
        return (Runtime.getRuntime().availableProcessors() + 1) / 2;
    }

    /** The event loops (threads) that own the tunnels; default {@link #defaultEventLoops()}. */
    public LoadBalancerBuilder eventLoops(int count) {
        if (count < 1 || count > 1024) {
            throw new IllegalArgumentException("eventLoops must be 1..1024, was " + count);
        }
        this.eventLoops = count;
        return this;
    }

    /** Live tunnels over all frontends; 0 = no global limit. */
    public LoadBalancerBuilder maxConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("maxConnections must be >= 0, was " + max);
        }
        this.maxConnections = max;
        return this;
    }

    /**
     * The most bytes clients may make the process hold: first bytes being inspected, queued or
     * connecting, and buffers of partial writes. Clients not yet served may use three quarters
     * of it; past that they are refused ({@code MEMORY_EXHAUSTED}, for MQTT a CONNACK "server
     * busy") while established tunnels go on. 0 = the default.
     */
    public LoadBalancerBuilder memoryBudget(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("memoryBudget must be >= 0 bytes, was " + bytes);
        }
        this.memoryBudget = bytes;
        return this;
    }

    /**
     * Size of each loop's read buffer and of each pooled buffer, which is also the most bytes a
     * tunnel keeps in flight per direction.
     */
    public LoadBalancerBuilder bufferSize(int bytes) {
        if (bytes < 1024 || bytes > 1024 * 1024) {
            throw new IllegalArgumentException("bufferSize must be 1 KiB..1 MiB, was " + bytes);
        }
        this.bufferSize = bytes;
        return this;
    }

    /** Free buffers each loop keeps for reuse; beyond that they are left to the collector. */
    public LoadBalancerBuilder maxIdleBuffersPerLoop(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("maxIdleBuffersPerLoop must be >= 0, was " + count);
        }
        this.maxIdleBuffersPerLoop = count;
        return this;
    }

    /**
     * TLS handshakes each loop runs at once (default 256); clients beyond wait their turn,
     * oldest first, within their frontend's TLS handshake timeout. Enough to keep a loop busy
     * while each handshake waits a client round trip (at 100 ms, about 2,500 a second, beyond
     * what one core signs); few enough that in a local reconnect storm each handshake, once
     * started, finishes well within the inspect delay instead of all of them finishing late.
     */
    public LoadBalancerBuilder tlsHandshakesPerLoop(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("tlsHandshakesPerLoop must be >= 1, was " + count);
        }
        this.tlsHandshakesPerLoop = count;
        return this;
    }

    public LoadBalancerBuilder acceptMode(AcceptMode mode) {
        this.acceptMode = Objects.requireNonNull(mode, "acceptMode");
        return this;
    }

    /** The time source for timeouts; tests may pass a controllable one. */
    public LoadBalancerBuilder clock(Clock source) {
        this.clock = Objects.requireNonNull(source, "clock");
        return this;
    }

    /**
     * Called (on the dying loop's thread) when an event loop dies of an error it could not
     * contain. The load balancer goes on with the live loops; an application that would rather
     * be restarted whole by its supervisor exits here. The default logs at {@code ERROR}.
     */
    public LoadBalancerBuilder onLoopFailure(Consumer<LoopFailure> handler) {
        this.onLoopFailure = Objects.requireNonNull(handler, "onLoopFailure");
        return this;
    }

    private static void logLoopFailure(LoopFailure f) {
        System.getLogger(LoadBalancer.class.getName()).log(System.Logger.Level.ERROR,
                "load_balancer_degraded live_loops=" + f.liveLoops() + "/" + f.loops()
                        + (f.isTotal() ? "; nothing is being served" : ""));
    }

    /** Adds a backend; {@code spec} adds its servers and sets its policy. */
    public LoadBalancerBuilder backend(String name, Consumer<BackendBuilder> spec) {
        checkName(name, "backend");
        if (backends.containsKey(name)) {
            throw new IllegalArgumentException("duplicate backend name '" + name + "'");
        }
        BackendBuilder b = new BackendBuilder(name);
        spec.accept(b);
        backends.put(name, b);
        return this;
    }

    /** Adds a frontend; {@code spec} sets its addresses, limits and backend. */
    public LoadBalancerBuilder frontend(String name, Consumer<FrontendBuilder> spec) {
        checkName(name, "frontend");
        if (frontends.containsKey(name)) {
            throw new IllegalArgumentException("duplicate frontend name '" + name + "'");
        }
        FrontendBuilder f = new FrontendBuilder(name);
        spec.accept(f);
        frontends.put(name, f);
        return this;
    }

    /** Receives one event per finished tunnel, on the tunnel's loop. */
    public LoadBalancerBuilder listener(TunnelListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Writes one line per finished tunnel to the {@code System.Logger} "lb.connections" (see
     * {@link ConnectionLog}). Off by default: in a reconnect storm of many thousand clients it
     * would bury every other log, and the stats already count how tunnels end.
     */
    public LoadBalancerBuilder connectionLog(boolean enabled) {
        listeners.removeIf(l -> l instanceof ConnectionLog);
        if (enabled) {
            listeners.add(new ConnectionLog());
        }
        return this;
    }

    public LoadBalancer build() {
        validate();
        Map<String, LiveBackend> built = new LinkedHashMap<>();
        ServerSlots slots = new ServerSlots();
        for (BackendBuilder b : backends.values()) {
            built.put(b.name, new LiveBackend(b.name, built.size(), b.policy(), b.servers, slots, clock));
        }
        List<LiveFrontend> fronts = new ArrayList<>();
        for (FrontendBuilder f : frontends.values()) {
            fronts.add(frontend(f, fronts.size(), built::get));
        }
        return new LoadBalancer(slots, List.copyOf(fronts), List.copyOf(built.values()), eventLoops, globalMaxConnections(),
                memoryBudget > 0 ? memoryBudget : MemoryBudget.defaultBytes(),
                bufferSize, maxIdleBuffersPerLoop, tlsHandshakesPerLoop, acceptMode, listeners, clock, onLoopFailure);
    }

    static LiveFrontend frontend(FrontendBuilder f, int index, java.util.function.Function<String, LiveBackend> backends) {
        return new LiveFrontend(f.name, index, f.listen, f.backlog, f.maxConnections, f.policy(), backends);
    }

    /** Checks the description as a whole; each failure names the field. */
    void validate() {
        if (frontends.isEmpty()) {
            throw new IllegalArgumentException("no frontend: add one with frontend(name, spec)");
        }
        for (BackendBuilder b : backends.values()) {
            if (b.servers.isEmpty()) {
                throw new IllegalArgumentException("backend '" + b.name + "': no servers");
            }
        }
        for (FrontendBuilder f : frontends.values()) {
            if (f.listen.isEmpty()) {
                throw new IllegalArgumentException("frontend '" + f.name + "': no listen address");
            }
            if (f.backend == null) {
                throw new IllegalArgumentException("frontend '" + f.name + "': no backend");
            }
            if (!backends.containsKey(f.backend)) {
                throw new IllegalArgumentException("frontend '" + f.name + "': unknown backend '" + f.backend
                        + "' (known: " + backends.keySet() + ")");
            }
            for (KeyRoute r : f.keyRoutes) {
                if (!backends.containsKey(r.backend())) {
                    throw new IllegalArgumentException("frontend '" + f.name + "': route " + r + ": unknown backend '"
                            + r.backend() + "' (known: " + backends.keySet() + ")");
                }
            }
            StickTable table = backends.get(f.backend).stickTable;
            if (f.maxKeyConnectionRate > 0 && (table == null || !table.countsConnections())) {
                // without counters the rule could never refuse anyone: say so rather than do nothing
                throw new IllegalArgumentException("frontend '" + f.name + "': maxKeyConnectionRate needs backend '"
                        + f.backend + "' to have a stick table that counts connections (one made with a rate period)");
            }
        }
    }

    int globalMaxConnections() {
        return maxConnections >= 0 ? maxConnections : defaultMaxConnections();
    }

    private static int defaultMaxConnections() {
        long byHeap = Runtime.getRuntime().maxMemory() / HEAP_PER_TUNNEL_BYTES;
        long limit = byHeap;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            limit = Math.min(limit, (os.getMaxFileDescriptorCount() - SPARE_DESCRIPTORS) / 2);
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit));
    }

    private static void checkName(String name, String what) {
        Objects.requireNonNull(name, what + " name");
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " name must not be blank");
        }
    }
}
