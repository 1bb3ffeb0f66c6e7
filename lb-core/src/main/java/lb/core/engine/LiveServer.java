package lb.core.engine;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import lb.core.config.ServerSpec;
import lb.core.limit.ConnectRate;
import lb.core.limit.Peak;
import lb.core.limit.SourcePorts;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.ServerState;
import lb.core.proxy.ProxyFormat;
import lb.core.time.Clock;

/**
 * A server as the engine runs it: what {@link Server} shows, plus the hooks tunnels and health
 * checks use (slots, source ports, health, failure runs). Thread-safe: the count is an atomic
 * touched once per tunnel open and close (never per byte), weight and state are volatile and
 * may be changed from any thread at run time.
 */
public final class LiveServer implements Server {
    private final ServerSpec spec;
    private final String name;
    /** Index of this server's counters in every loop's {@code LoopCounters}; set when attached. */
    private int slot = -1;
    private final InetSocketAddress address;
    private volatile int maxConnections;
    private final Pick pick = Pick.of(this);
    private final AtomicInteger connections = new AtomicInteger();
    private final Peak peak = new Peak();
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicInteger failedConnectsInARow = new AtomicInteger();
    /** A hint loops race on harmlessly: connects to it completed by the time they were checked. */
    private volatile boolean connectsAtOnce = true;
    private final AtomicLong downTransitions = new AtomicLong();
    private volatile int weight;
    private volatile ServerState state;
    private volatile boolean up = true;
    private volatile String healthReason = "not checked";
    private volatile long healthChangedAtMillis = System.currentTimeMillis();
    /** Health checks passed in a row since the last failure (or since the server was added). */
    private volatile int checksPassedInARow;
    /** While a recovered server warms up: when it came up and over how long; 0 = full weight. */
    private volatile long warmingSinceNs;
    private volatile long warmUpNs;
    private LiveBackend backend;
    /** The load balancer's time source: slow start ramps on the same clock as its timers. */
    private Clock clock = Clock.SYSTEM;
    /** While the server is being removed (draining): completes when it is gone; else null. */
    private volatile java.util.concurrent.CompletableFuture<Void> removal;

    private final SourcePorts[] sources;
    private final AtomicInteger nextSource = new AtomicInteger();
    private final AtomicLong sourcePortsExhausted = new AtomicLong();

    private final ProxyFormat sendProxy;
    /** New connections a second at most; 0: no limit. */
    private volatile int maxConnectRate;
    private final ConnectRate connectRate = new ConnectRate();

    LiveServer(ServerSpec spec) {
        this.spec = spec;
        this.name = spec.name();
        this.address = spec.address();
        this.sources = new SourcePorts[spec.sources().size()];
        for (int i = 0; i < sources.length; i++) {
            ServerSpec.SourceRange r = spec.sources().get(i);
            sources[i] = new SourcePorts(r.address(), r.lowPort(), r.highPort());
        }
        this.sendProxy = spec.sendProxy();
        this.weight = spec.weight();
        this.maxConnections = spec.maxConnections();
        this.state = spec.state();
        this.maxConnectRate = spec.maxConnectRate();
    }

    /** The settings the server was made with (its address and sources never change). */
    public ServerSpec spec() {
        return spec;
    }

    void attach(LiveBackend backend, int counterSlot, Clock time) {
        this.backend = backend;
        this.slot = counterSlot;
        this.clock = time;
    }

    @Override
    public String name() {
        return name;
    }

    /** Where this server's counters sit in each loop's counter arrays. */
    public int slot() {
        return slot;
    }

    /** Resolved once at build time, so connecting never resolves or allocates an address. */
    @Override
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The weight balancers use now: the configured weight, scaled down while the server warms
     * up after recovering (slow start), but never below 1.
     */
    @Override
    public int weight() {
        int w = weight;
        long ramp = warmUpNs;
        if (ramp == 0 || w == 0) {
            return w;
        }
        long elapsed = clock.nanoTime() - warmingSinceNs;
        if (elapsed >= ramp) {
            return w; // readers only read: the ramp ends by time, not by a racy reset
        }
        return (int) Math.max(1, w * elapsed / ramp);
    }

    /** The weight as configured (or last set), before any slow-start scaling. */
    @Override
    public int configuredWeight() {
        return weight;
    }

    /** True while a recovered server's weight is still ramping up. */
    @Override
    public boolean isWarmingUp() {
        return warmUpNs != 0 && clock.nanoTime() - warmingSinceNs < warmUpNs;
    }

    /** 0 means no limit. */
    @Override
    public int maxConnections() {
        return maxConnections;
    }

    /** Changes the limit; tunnels above a lowered limit stay until they end. */
    @Override
    public void maxConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("server " + name + ": maxConnections must be >= 0, was " + max);
        }
        this.maxConnections = max;
        backend.publishServerSet();
    }

    @Override
    public ServerState state() {
        return state;
    }

    /** True from {@code LiveBackend.removeServer} until the server is gone, unless re-added meanwhile. */
    @Override
    public boolean isBeingRemoved() {
        return removal != null;
    }

    public java.util.concurrent.CompletableFuture<Void> removal() {
        return removal;
    }

    public void removal(java.util.concurrent.CompletableFuture<Void> pending) {
        removal = pending;
    }

    public LiveBackend backend() {
        return backend;
    }

    @Override
    public String backendName() {
        return backend.name();
    }

    /** Live tunnels on this server, counting those still connecting. */
    @Override
    public int connections() {
        return connections.get();
    }

    /** The most live tunnels at once since the start, connecting ones included. */
    public int peakConnections() {
        return peak.get();
    }

    @Override
    public long totalConnections() {
        return totalConnections.get();
    }

    /** The balancer result that names this server, made once so picking allocates nothing. */
    @Override
    public Pick asPick() {
        return pick;
    }

    /** Health as last judged by checks (or forced); a server starts up. */
    @Override
    public boolean isUp() {
        return up;
    }

    /** Why the health last changed (e.g. "connect refused", "3 checks passed"). */
    @Override
    public String healthReason() {
        return healthReason;
    }

    @Override
    public long healthChangedAtMillis() {
        return healthChangedAtMillis;
    }

    /** How many times the server went down. */
    @Override
    public long downTransitions() {
        return downTransitions.get();
    }

    /** Takes new tunnels: ready, up and weighted above 0. */
    @Override
    public boolean isUsable() {
        return state == ServerState.READY && up && weight > 0;
    }

    @Override
    public boolean isFull() {
        int max = maxConnections;
        return max > 0 && connections.get() >= max;
    }

    /** Sets the weight (0 takes the server out of rotation); effective for the next pick. */
    @Override
    public void weight(int newWeight) {
        if (newWeight < 0 || newWeight > 256) {
            throw new IllegalArgumentException("server " + name + ": weight must be 0..256, was " + newWeight);
        }
        this.weight = newWeight;
        backend.publishServerSet();
    }

    /** Sets the operator state; effective for the next pick, established tunnels stay. */
    @Override
    public void state(ServerState newState) {
        this.state = java.util.Objects.requireNonNull(newState, "state");
        backend.publishServerSet();
    }

    /**
     * Sets the health, as a check (or a test, or an operator) found it; {@code warmUp} is the
     * slow-start period on recovery (zero for none). Returns false if nothing changed.
     */
    public boolean health(boolean isUp, String reason, java.time.Duration warmUp) {
        healthReason = reason;
        if (up == isUp) {
            return false;
        }
        up = isUp;
        healthChangedAtMillis = System.currentTimeMillis();
        failedConnectsInARow.set(0);
        if (isUp) {
            warmingSinceNs = clock.nanoTime();
            warmUpNs = warmUp.toNanos();
        } else {
            downTransitions.incrementAndGet();
            warmUpNs = 0;
        }
        backend.publishServerSet();
        return true;
    }

    /** A health check of this server finished. Its probe's loop only (one writer). */
    void checked(boolean passed) {
        int n = checksPassedInARow;
        checksPassedInARow = passed ? (n == Integer.MAX_VALUE ? n : n + 1) : 0;
    }

    /** Health checks passed in a row since the last failed one, or since the server was added. */
    public int checksPassedInARow() {
        return checksPassedInARow;
    }

    /** Counts a failed connect to this server; returns how many failed in a row. */
    public int connectFailed() {
        return failedConnectsInARow.incrementAndGet();
    }

    /** A connect succeeded: the run of failures is over. */
    public void connectSucceeded() {
        if (failedConnectsInARow.get() != 0) {
            failedConnectsInARow.set(0);
        }
    }

    /**
     * Whether a connect that did not complete in its call should be checked again at once,
     * before waiting for the selector: yes while that has worked (a server on this host answers
     * within the call), and every 64th connect otherwise, in case it works again.
     */
    boolean checkConnectAtOnce() {
        return connectsAtOnce || (totalConnections.get() & 63) == 0;
    }

    /** What checking a connect at once found. */
    void connectedAtOnce(boolean connected) {
        if (connectsAtOnce != connected) {
            connectsAtOnce = connected;
        }
    }

    /**
     * Binds {@code channel} to a free port of one of this server's source addresses (taken in
     * turn) and returns the range it came from, or null if every range is exhausted (counted).
     * Without source addresses, returns null and leaves the channel to the kernel.
     */
    public SourcePorts bindSource(java.nio.channels.SocketChannel channel, int[] portOut) throws java.io.IOException {
        int n = sources.length;
        int first = Math.floorMod(nextSource.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            SourcePorts pool = sources[(first + i) % n];
            int port = pool.take();
            if (port < 0) {
                continue;
            }
            try {
                channel.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(new InetSocketAddress(pool.address(), port));
            } catch (java.io.IOException e) {
                pool.give(port);
                throw e;
            }
            portOut[0] = port;
            return pool;
        }
        sourcePortsExhausted.incrementAndGet();
        return null;
    }

    /** The PROXY header format this server receives first, or null for none. */
    @Override
    public ProxyFormat sendProxy() {
        return sendProxy;
    }

    /** True if connections to this server leave from configured source addresses. */
    public boolean hasSources() {
        return sources.length > 0;
    }

    /** Connects refused because every source port toward this server was taken. */
    @Override
    public long sourcePortsExhausted() {
        return sourcePortsExhausted.get();
    }

    /** The most new connections a second, as configured (0: no limit). */
    public int maxConnectRate() {
        return maxConnectRate;
    }

    /** Changes the connect rate limit; effective for the next connection. */
    public void maxConnectRate(int perSecond) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("server " + name + ": maxConnectRate must be >= 0, was " + perSecond);
        }
        this.maxConnectRate = perSecond;
    }

    /**
     * The connect rate in force now: as configured, scaled like the weight while the server
     * warms up after recovering (slow start), never below 1; 0 for no limit.
     */
    public int connectRateNow() {
        int rate = maxConnectRate;
        if (rate == 0 || !isWarmingUp()) {
            return rate;
        }
        int full = Math.max(1, configuredWeight());
        return (int) Math.max(1, (long) rate * weight() / full);
    }

    /** This server's bucket of new connections (see {@link #connectRateNow}). */
    public ConnectRate connectRate() {
        return connectRate;
    }

    /** Takes a connection slot if the server is below its limit. */
    public boolean tryAcquire() {
        while (true) {
            int n = connections.get();
            int max = maxConnections;
            if (max > 0 && n >= max) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                totalConnections.incrementAndGet();
                peak.observe(n + 1);
                backend.onSlotTaken();
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire()} and lets the backend's queue move. */
    public void release() {
        connections.decrementAndGet();
        backend.onSlotFreed();
    }

    @Override
    public String toString() {
        return name + "@" + address.getHostString() + ":" + address.getPort();
    }
}
