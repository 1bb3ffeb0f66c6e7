package lb.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import lb.core.loop.EventLoopGroup;
import lb.core.stats.TunnelListener;
import lb.core.time.Clock;

/**
 * A running load balancer: its frontends, backends and event loops. The only entry point;
 * made by {@link #builder()}. {@link #start()}, {@link #shutdown(Duration)} and
 * {@link #close()} may be called from any thread, once each.
 */
public final class LoadBalancer implements AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final List<Frontend> frontends;
    private final List<Backend> backends;
    private final EventLoopGroup loops;
    private final int instance = INSTANCES.incrementAndGet();
    private volatile boolean started;
    private volatile boolean stopped;

    LoadBalancer(List<Frontend> frontends, List<Backend> backends, int eventLoops, int maxConnections,
                 int bufferSize, int maxIdleBuffersPerLoop, AcceptMode acceptMode,
                 List<TunnelListener> listeners, Clock clock) {
        this.frontends = frontends;
        this.backends = backends;
        this.loops = new EventLoopGroup(eventLoops, maxConnections, bufferSize, maxIdleBuffersPerLoop,
                acceptMode, listeners, backends.size(), clock);
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
        List<List<InetSocketAddress>> bound = loops.start(frontends, "lb-" + instance + "-loop-");
        for (int i = 0; i < frontends.size(); i++) {
            frontends.get(i).bound(bound.get(i));
        }
        for (Backend b : backends) {
            b.startHealthChecks(loops.loops());
        }
        return this;
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

    /** The event loops, for stats and tests. */
    public EventLoopGroup eventLoops() {
        return loops;
    }
}
