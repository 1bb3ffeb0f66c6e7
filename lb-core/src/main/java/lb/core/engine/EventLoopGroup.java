package lb.core.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import lb.core.config.Pacing;
import lb.core.limit.ConnectionLimit;
import lb.core.limit.MemoryBudget;
import lb.core.model.AcceptMode;
import lb.core.model.LoopFailure;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.model.TunnelListener;
import lb.core.time.Clock;

/**
 * The event loops of one load balancer and what they share: the global connection limit, the
 * tunnel listeners and the accept policy. Thread-safe: built and started by the owner, then
 * touched by the loops only through immutable fields and atomics.
 */
public final class EventLoopGroup {
    private static final System.Logger LOG = System.getLogger(EventLoopGroup.class.getName());

    private final EventLoop[] loops;
    private final ConnectionLimit globalLimit;
    private final TunnelListener[] listeners;
    private final AcceptMode acceptMode;
    private final Clock clock;
    private final AtomicLong acceptErrors = new AtomicLong();
    private final Consumer<LoopFailure> onLoopFailure;
    private final MemoryBudget budget;
    private final List<Runnable> afterLoopFailure = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int nextAcceptor;

    public EventLoopGroup(int loopCount, int maxConnections, long memoryBudgetBytes, int bufferSize, int maxIdleBuffersPerLoop,
                          int tlsHandshakesPerLoop, AcceptMode acceptMode, List<TunnelListener> listeners, int backendCount, Clock clock,
                          Consumer<LoopFailure> onLoopFailure) {
        this.onLoopFailure = onLoopFailure;
        this.budget = new MemoryBudget(memoryBudgetBytes);
        this.globalLimit = new ConnectionLimit("global", maxConnections);
        this.listeners = listeners.toArray(new TunnelListener[0]);
        this.acceptMode = acceptMode;
        this.clock = clock;
        this.loops = new EventLoop[loopCount];
        for (int i = 0; i < loopCount; i++) {
            loops[i] = new EventLoop(i, this, clock, bufferSize, maxIdleBuffersPerLoop, tlsHandshakesPerLoop, backendCount,
                    budget);
        }
    }

    /**
     * Binds every frontend's addresses and starts the loops. Returns the bound addresses per
     * frontend, in order. A bind failure closes what was bound and names the address.
     */
    public List<List<InetSocketAddress>> start(List<LiveFrontend> frontends, String threadPrefix) {
        List<List<InetSocketAddress>> boundPerFrontend = new ArrayList<>();
        List<Listener> opened = new ArrayList<>();
        try {
            for (LiveFrontend f : frontends) {
                boundPerFrontend.add(bindAll(f, f.listenAddresses(), opened));
            }
        } catch (UncheckedIOException e) {
            opened.forEach(Listener::close);
            throw e;
        }
        for (Listener l : opened) {
            l.register();
        }
        for (EventLoop loop : loops) {
            loop.start(threadPrefix + loop.index());
        }
        return boundPerFrontend;
    }

    /**
     * Starts listening on {@code addresses} for {@code frontend} while running (a frontend or
     * address added by reconfiguration); returns the bound addresses.
     */
    public List<InetSocketAddress> listen(LiveFrontend frontend, List<InetSocketAddress> addresses) {
        List<Listener> opened = new ArrayList<>();
        List<InetSocketAddress> bound;
        try {
            bound = bindAll(frontend, addresses, opened);
        } catch (UncheckedIOException e) {
            opened.forEach(Listener::close);
            throw e;
        }
        for (Listener l : opened) {
            l.loop().execute(l::register);
        }
        return bound;
    }

    /** Stops listening on {@code addresses} of {@code frontend}; its tunnels go on. */
    public void unlisten(LiveFrontend frontend, List<InetSocketAddress> addresses) {
        for (EventLoop loop : loops) {
            loop.execute(() -> loop.closeListeners(frontend, addresses));
        }
    }

    /**
     * Under {@link AcceptMode#REUSE_PORT} each loop binds each address itself; under
     * {@link AcceptMode#HANDOFF} one loop per address accepts (spread round robin).
     */
    private List<InetSocketAddress> bindAll(LiveFrontend f, List<InetSocketAddress> addresses, List<Listener> opened) {
        List<InetSocketAddress> bound = new ArrayList<>();
        boolean reusePort = acceptMode == AcceptMode.REUSE_PORT;
        OptionalInt somaxconn = KernelListenQueues.somaxconn(KernelListenQueues.PROC);
        for (InetSocketAddress address : addresses) {
            InetSocketAddress actual = address;
            int copies = reusePort ? loops.length : 1;
            int first = nextAcceptor++;
            for (int c = 0; c < copies; c++) {
                EventLoop owner = loops[(first + c) % loops.length];
                try {
                    ServerSocketChannel ch = bind(actual, f.backlog(), reusePort);
                    actual = (InetSocketAddress) ch.getLocalAddress();
                    opened.add(new Listener(owner, f, ch, address));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot listen: " + e.getMessage(), e);
                }
            }
            bound.add(actual);
            f.acceptQueueLimit(KernelListenQueues.effectiveBacklog(f.name(), actual, f.backlog(), somaxconn));
        }
        return bound;
    }

    private static ServerSocketChannel bind(InetSocketAddress address, int backlog, boolean reusePort)
            throws IOException {
        ServerSocketChannel ch = Sockets.listeningOn(address);
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.bind(address, backlog);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException(address + ": " + e.getMessage(), e);
        }
    }

    /** Gives an accepted client to a loop, by the accept mode. Called on {@code acceptor}. */
    void dispatch(EventLoop acceptor, SocketChannel client, LiveFrontend frontend) {
        EventLoop target = acceptor;
        if (acceptMode == AcceptMode.HANDOFF) {
            EventLoop best = leastLoadedLive(null);
            target = best != null ? best : acceptor;
        }
        target.assign();
        if (target == acceptor) {
            target.adopt(client, frontend);
        } else {
            target.execute(new Adoption(target, client, frontend));
        }
    }

    /** The live loop with the fewest tunnels other than {@code excluded}, or null if none. */
    private EventLoop leastLoadedLive(EventLoop excluded) {
        EventLoop best = null;
        for (EventLoop l : loops) {
            if (l.isAlive() && l != excluded && (best == null || l.load() < best.load())) {
                best = l;
            }
        }
        return best;
    }

    /**
     * A loop died: its listening socket goes on, accepted by the least-loaded live loop. With
     * no loop left, the socket closes and clients get refused by the kernel.
     */
    void rehome(Listener orphan) {
        EventLoop heir = leastLoadedLive(orphan.loop());
        if (heir == null) {
            orphan.close();
            return;
        }
        Listener moved = orphan.movedTo(heir);
        heir.execute(moved::register);
    }

    /** Runs {@code action} after any loop dies (health checks move to live loops, say). */
    public void afterLoopFailure(Runnable action) {
        afterLoopFailure.add(action);
    }

    /** The loops still working, for work that must not land on a dead one. */
    public List<EventLoop> liveLoops() {
        List<EventLoop> live = new ArrayList<>();
        for (EventLoop l : loops) {
            if (l.isAlive()) {
                live.add(l);
            }
        }
        return live;
    }

    /** Moves what ran on the dead loop, then tells the application; its tunnels are already closed. */
    void loopFailed(EventLoop loop, Throwable error) {
        for (Runnable action : afterLoopFailure) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "after_loop_failure_failed", e);
            }
        }
        int alive = 0;
        for (EventLoop l : loops) {
            alive += l.isAlive() ? 1 : 0;
        }
        LoopFailure failure = new LoopFailure(loop.index(), error, alive, loops.length);
        try {
            onLoopFailure.accept(failure);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "loop_failure_handler_failed", e);
        }
    }

    /** The loops' time source, read now; any thread. */
    public long nowNs() {
        return clock.nanoTime();
    }

    /** The memory budget every loop's buffers and inspections are charged to. */
    public MemoryBudget memoryBudget() {
        return budget;
    }

    /** The global connection limit, shared by every frontend. */
    public ConnectionLimit limit() {
        return globalLimit;
    }

    void countAcceptError() {
        acceptErrors.incrementAndGet();
    }

    public long acceptErrors() {
        return acceptErrors.get();
    }

    void emit(Tunnel tunnel, Termination reason, String detail) {
        if (listeners.length == 0) {
            return;
        }
        TunnelEvent event = tunnel.toEvent(reason, detail, clock.nanoTime());
        for (TunnelListener l : listeners) {
            try {
                l.onTunnelClosed(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "tunnel_listener_failed", e);
            }
        }
    }

    public List<EventLoop> loops() {
        return List.of(loops);
    }

    /** Live tunnels over all loops. */
    public int tunnelCount() {
        int n = 0;
        for (EventLoop l : loops) {
            n += l.load();
        }
        return n;
    }

    /** Pooled buffers lent out over all loops, read on each loop's thread. */
    public int buffersInUse() {
        int n = 0;
        for (EventLoop l : loops) {
            n += onLoop(l, l::buffersInUse);
        }
        return n;
    }

    /** Runs {@code query} on {@code loop}'s thread and waits for its answer (not for hot paths). */
    public static <T> T onLoop(EventLoop loop, java.util.function.Supplier<T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.execute(() -> answer.complete(query.get()));
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("event loop " + loop.index() + " did not answer", e);
        }
    }

    /** Releases the selectors of loops that never started (a balancer built but not started). */
    public void closeUnstarted() {
        for (EventLoop l : loops) {
            l.closeSelector();
        }
    }

    /**
     * Graceful stop: close listeners, let tunnels finish for {@code grace}, then end the rest
     * (cleanly where their packets frame, within {@link Tunnel#ENDING_NS}), then close whatever
     * is left. A zero grace closes everything at once.
     */
    public void shutdown(Duration grace) {
        shutdown(grace.toNanos(), null);
    }

    /** Graceful stop that ends tunnels itself, at {@code pacing}'s pace over its grace. */
    public void shutdown(Pacing pacing) {
        shutdown(pacing.grace().toNanos(), pacing);
    }

    private void shutdown(long graceNs, Pacing pacing) {
        for (EventLoop l : loops) {
            l.execute(l::beginDrain);
        }
        if (graceNs > 0) {
            long perSecond = pacing == null ? 0 : pacing.clientsPerSecondFor(tunnelCount());
            PacedEnding ending = new PacedEnding(this, Termination.SHUTDOWN, null, perSecond, graceNs, true) {
                @Override
                boolean takes(Tunnel t) {
                    return true;
                }

                @Override
                boolean isEmpty() {
                    return tunnelCount() == 0;
                }
            };
            try {
                ending.start().get(graceNs + Tunnel.ENDING_NS + 1_000_000_000L, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.log(System.Logger.Level.INFO, () -> "shutdown_grace_expired closing_tunnels=" + tunnelCount());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "shutdown_drain_failed", e);
            }
        }
        for (EventLoop l : loops) {
            l.stop();
        }
        for (EventLoop l : loops) {
            try {
                l.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
