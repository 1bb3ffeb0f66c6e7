package lb.core.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import lb.core.balance.Balancer;
import lb.core.balance.ServerSet;
import lb.core.buffer.BufferPool;
import lb.core.limit.MemoryBudget;
import lb.core.limit.SourceTable;
import lb.core.model.Termination;
import lb.core.time.Clock;

/**
 * One thread, one selector, and everything it owns: its tunnels, listeners, buffer pool, read
 * buffer, timer wheel and balancer instances. Owned state is touched only on this thread;
 * other threads reach the loop only through {@link #execute(Runnable)}.
 *
 * <p>The duty cycle ({@link #runOnce}): select and handle ready keys, sweep due timers, run
 * queued commands, each with a bound so no stage starves the others.
 *
 * <p>Every unit of work (a ready key, a timer, a command) is guarded: a {@code RuntimeException}
 * costs the unit that threw (a tunnel closes with {@code INTERNAL_ERROR}), is logged with its
 * stack and counted, and the loop goes on. Anything else thrown (an {@code Error}) kills the
 * loop: it closes its tunnels (releasing their slots), hands its listening sockets to a live
 * loop, refuses work handed to it from then on, and its group reports the failure.
 */
public final class EventLoop {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final int TIMER_LIMIT = 4096;
    private static final int COMMAND_LIMIT = 4096;
    private static final long TICK_NS = 10_000_000L;
    private static final int WHEEL_SLOTS = 512;
    /**
     * Ticks an idle loop sleeps at most while no timeout falls due: one second. A clock other
     * than the system's may jump at any moment (tests move one by hand), so under it the loop
     * looks every tick.
     */
    private static final int IDLE_SLEEP_TICKS = 100;

    final int index;
    final EventLoopGroup group;
    final Selector selector;
    final BufferPool pool;
    /** Shared by every relay of this loop: reads land here and are written straight on. */
    final ByteBuffer readBuffer;
    private final int maxIdleBuffers;
    private volatile TlsBuffers tls;
    final TimerWheel timers;
    /** TLS handshakes under way on this loop, and the clients waiting for their turn. */
    final HandshakeSlots handshakes;
    /**
     * Why the last relay step that failed did: set by the relay, read by its tunnel right after
     * on this thread, so relays (two per tunnel) need no field of their own for it.
     */
    java.io.IOException relayFailure;
    /** Out-parameter for the source port a tunnel's server socket was bound to. */
    final int[] portScratch = new int[1];
    /** Out-parameter for the per-source block a new client was counted in. */
    final SourceTable.Block[] sourceScratch = new SourceTable.Block[1];
    /** Clients refused by a per-source limit that are kept a moment to be answered (see {@code Tunnel}). */
    int refusalsAnswering;
    private final Clock clock;
    private final int sleepTicks;
    private final CommandQueue commands = new CommandQueue();
    /** Why this loop stopped working, or null while it is alive. */
    private volatile Throwable failure;
    final LoopCounters counters = new LoopCounters();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private Balancer[] balancers;
    private long[] balancerVersions;
    private Object[] balancerFactories;
    private final List<Listener> listeners = new ArrayList<>();
    /**
     * Channels to close once the selector has forgotten them: closing a channel still
     * registered makes the JDK ask for SO_LINGER and shut it down first, two system calls a
     * socket that closing a deregistered one avoids. Cancelled keys are forgotten by the next
     * select, so these close right after it.
     */
    private SocketChannel[] closing = new SocketChannel[64];
    private int closingCount;
    private Tunnel[] tunnels = new Tunnel[256];
    private int tunnelCount;
    /** Tunnels on this loop or handed to it and not yet adopted: what "least loaded" compares. */
    private final AtomicInteger load = new AtomicInteger();
    private long nowNs;
    private boolean nowIsFresh;
    /** When this cycle's first ready key was handled; 0 before it. */
    private long firstEventNs;
    private volatile boolean running;
    private Thread thread;

    EventLoop(int index, EventLoopGroup group, Clock clock, int bufferSize, int maxIdleBuffers, int tlsHandshakes,
              int backendCount, MemoryBudget budget) {
        this.index = index;
        this.group = group;
        this.clock = clock;
        this.pool = new BufferPool(bufferSize, maxIdleBuffers, budget);
        this.handshakes = new HandshakeSlots(tlsHandshakes);
        this.readBuffer = ByteBuffer.allocateDirect(bufferSize);
        this.maxIdleBuffers = maxIdleBuffers;
        this.nowNs = clock.nanoTime();
        this.timers = new TimerWheel(TICK_NS, WHEEL_SLOTS, nowNs, this::onTimeoutFailed);
        this.sleepTicks = clock == Clock.SYSTEM ? IDLE_SLEEP_TICKS : 1;
        this.balancers = new Balancer[backendCount];
        this.balancerVersions = new long[backendCount];
        this.balancerFactories = new Object[backendCount];
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for event loop " + index, e);
        }
    }

    /** Runs {@code command} on this loop's thread, soon; callable from any thread. */
    public void execute(Runnable command) {
        commands.add(command);
        if (failure != null) {
            refusePending(); // no one will run it
        } else if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** True until the loop failed with an error it could not contain. */
    public boolean isAlive() {
        return failure == null;
    }

    public int index() {
        return index;
    }

    /** Live tunnels on this loop, counting those handed to it and not yet adopted. */
    public int load() {
        return load.get();
    }

    /** Counts a client handed to this loop, before it is adopted. Any thread. */
    void assign() {
        load.incrementAndGet();
    }

    /** Uncounts a client handed to this loop that it will never adopt (it died). Any thread. */
    void unassign() {
        load.decrementAndGet();
    }

    public BufferPool pool() {
        return pool;
    }

    /** The loop's TLS buffers, made when its first TLS tunnel needs them; null until then. Loop thread only. */
    TlsBuffers tls() {
        if (tls == null) {
            tls = new TlsBuffers(maxIdleBuffers, pool.budget());
        }
        return tls;
    }

    /** Buffers of both pools (plain and TLS) lent to tunnels now; read racily off the loop. */
    public int buffersInUse() {
        TlsBuffers t = tls;
        return pool.inUse() + (t == null ? 0 : t.pool().inUse());
    }

    /** TLS handshakes under way on this loop; read racily off the loop. */
    public int tlsHandshakes() {
        return handshakes.inUse();
    }

    /** TLS clients waiting for a handshake turn on this loop. */
    public int tlsHandshakesWaiting() {
        return handshakes.waiting();
    }

    /** Free buffers both pools keep for reuse; read racily off the loop. */
    public int buffersIdle() {
        TlsBuffers t = tls;
        return pool.idle() + (t == null ? 0 : t.pool().idle());
    }

    /** Buffers both pools ever allocated; read racily off the loop. */
    public long buffersCreated() {
        TlsBuffers t = tls;
        return pool.created() + (t == null ? 0 : t.pool().created());
    }

    /** This loop's counters (written by the loop, readable by anyone). */
    public LoopCounters counters() {
        return counters;
    }

    public Thread thread() {
        return thread;
    }

    /** The loop's selector, for channels this loop owns (health probes, say). Loop thread only. */
    public Selector selector() {
        return selector;
    }

    /** The loop's timer wheel. Loop thread only. */
    public TimerWheel timers() {
        return timers;
    }

    /** The loop's time, read once per cycle (and again after a select that found work). */
    public long nowNs() {
        if (!nowIsFresh) {
            nowNs = clock.nanoTime();
            nowIsFresh = true;
        }
        return nowNs;
    }

    void start(String threadName) {
        running = true;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    private void run() {
        Throwable died = null;
        try {
            while (running) {
                runOnce(commands.isEmpty() && closingCount == 0 ? timers.millisToNextTimeout(nowNs(), sleepTicks) : -1);
            }
        } catch (Throwable t) {
            died = t;
            failure = t;
            running = false;
            LOG.log(System.Logger.Level.ERROR, "event_loop_failed loop=" + index
                    + "; closing its tunnels, handing its listeners to another loop", t);
        } finally {
            closeEverything(died);
        }
        if (died != null) {
            refusePending();
            group.loopFailed(this, died);
        }
    }

    /** One duty cycle; {@code timeoutMs} 0 blocks until woken, negative does not block. */
    void runOnce(long timeoutMs) throws IOException {
        nowIsFresh = false;
        int forgotten = closingCount; // cancelled before this select, so deregistered by it
        if (timeoutMs < 0) {
            selector.selectNow(onSelected);
        } else {
            selector.select(onSelected, timeoutMs);
        }
        wakeupPending.set(false);
        closeForgotten(forgotten);
        long workStartNs = firstEventNs != 0 ? firstEventNs : clock.nanoTime();
        firstEventNs = 0;
        nowIsFresh = false;
        timers.poll(nowNs(), TIMER_LIMIT);
        runCommands();
        counters.busy(clock.nanoTime() - workStartNs);
    }

    private void onSelected(SelectionKey key) {
        if (firstEventNs == 0) {
            firstEventNs = nowNs(); // work starts with the first ready key, not when select returns
        }
        if (!key.isValid()) {
            return; // cancelled by an earlier key's work in this same select (its tunnel closed)
        }
        Handler handler = (Handler) key.attachment();
        try {
            handler.onReady(key);
        } catch (RuntimeException e) {
            countFault(handler, e);
            try {
                handler.onFault(e);
            } catch (RuntimeException again) {
                countFault(handler, again);
            }
        }
    }

    private void runCommands() {
        for (int i = 0; i < COMMAND_LIMIT; i++) {
            Runnable command = commands.poll();
            if (command == null) {
                return;
            }
            try {
                command.run();
            } catch (RuntimeException e) {
                countFault(command, e);
            }
        }
    }

    private void onTimeoutFailed(TimerWheel.Timeout timeout, RuntimeException e) {
        countFault(timeout, e);
        try {
            timeout.onTimeoutFailed(e);
        } catch (RuntimeException again) {
            countFault(timeout, again);
        }
    }

    /**
     * A unit of work threw: logged with its stack (these are bugs, in this library or in a
     * plug-in, and each one is worth reading) and counted. Loop thread.
     */
    void countFault(Object unit, RuntimeException e) {
        counters.fault();
        LOG.log(System.Logger.Level.ERROR, "loop_fault loop=" + index + " unit=" + unit.getClass().getName(), e);
    }

    /** Work handed to a failed loop: hand-offs are refused (their clients closed), the rest dropped. */
    private void refusePending() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            if (command instanceof Adoption adoption) {
                adoption.refuse();
            }
        }
    }

    /** Cancels {@code key} now and closes {@code channel} after the next select. Loop thread. */
    void closeAfterSelect(SocketChannel channel, SelectionKey key) {
        if (key == null) {
            closeNow(channel);
            return;
        }
        key.cancel();
        if (closingCount == closing.length) {
            closing = Arrays.copyOf(closing, closingCount * 2);
        }
        closing[closingCount++] = channel;
    }

    private void closeForgotten(int count) {
        for (int i = 0; i < count; i++) {
            closeNow(closing[i]);
        }
        System.arraycopy(closing, count, closing, 0, closingCount - count);
        for (int i = closingCount - count; i < closingCount; i++) {
            closing[i] = null;
        }
        closingCount -= count;
    }

    static void closeNow(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing left to tell the peer
        }
    }

    /**
     * This loop's balancer for {@code backend}: rebuilt when the backend's balancer factory was
     * replaced, updated when its usable servers changed.
     */
    Balancer balancer(LiveBackend backend) {
        int i = backend.index();
        if (i >= balancers.length) {
            balancers = Arrays.copyOf(balancers, i + 1);
            balancerVersions = Arrays.copyOf(balancerVersions, i + 1);
            balancerFactories = Arrays.copyOf(balancerFactories, i + 1);
        }
        ServerSet usable = backend.usableServers();
        Balancer b = balancers[i];
        Object factory = backend.balancerFactory();
        if (b == null || balancerFactories[i] != factory) {
            b = backend.balancerFactory().get();
            balancers[i] = b;
            balancerFactories[i] = factory;
            balancerVersions[i] = -1;
        }
        if (balancerVersions[i] != usable.version()) {
            b.update(usable);
            balancerVersions[i] = usable.version();
        }
        return b;
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Starts a tunnel for a client accepted by any loop; runs on this loop. */
    void adopt(SocketChannel client, LiveFrontend frontend) {
        Tunnel t = new Tunnel(this, frontend, client);
        add(t);
        try {
            t.start();
        } catch (RuntimeException e) {
            countFault(t, e);
            t.onFault(e);
        }
    }

    private void add(Tunnel t) {
        if (tunnelCount == tunnels.length) {
            tunnels = Arrays.copyOf(tunnels, tunnelCount * 2);
        }
        t.slot = tunnelCount;
        tunnels[tunnelCount++] = t;
    }

    void remove(Tunnel t) {
        int i = t.slot;
        if (i < 0 || i >= tunnelCount || tunnels[i] != t) {
            return; // already removed
        }
        t.slot = -1;
        Tunnel last = tunnels[--tunnelCount];
        tunnels[i] = last;
        last.slot = i;
        tunnels[tunnelCount] = null;
        load.decrementAndGet();
    }

    /** Live tunnels, for tests and stats; call on the loop thread. */
    int tunnelCount() {
        return tunnelCount;
    }

    /** Graceful shutdown's first step: stop accepting. */
    void beginDrain() {
        closeListeners();
    }

    /** Closes this loop's listeners of {@code frontend} on {@code addresses} (as configured). */
    void closeListeners(LiveFrontend frontend, List<java.net.InetSocketAddress> addresses) {
        listeners.removeIf(l -> {
            boolean match = l.frontend() == frontend && addresses.contains(l.configuredAddress());
            if (match) {
                l.close();
            }
            return match;
        });
    }

    /** Stops accepting on this loop's listeners. */
    void closeListeners() {
        for (Listener l : listeners) {
            l.close();
        }
        listeners.clear();
    }

    /** Closes every tunnel with {@code reason}; bounded, so a tunnel that fails to leave cannot spin it. */
    void closeAllTunnels(Termination reason, String detail) {
        for (int i = tunnelCount - 1; i >= 0; i--) {
            if (i >= tunnelCount) {
                continue;
            }
            Tunnel t = tunnels[i];
            try {
                t.close(reason, detail);
            } catch (RuntimeException e) {
                countFault(t, e);
            }
            if (i < tunnelCount && tunnels[i] == t) {
                remove(t); // close failed before leaving the loop
            }
        }
    }

    /**
     * Ends this loop's tunnels on {@code server} (it was marked down, or its removal's drain is
     * over): cleanly where their packets frame (see {@link Tunnel#end}), else at once.
     */
    public void closeTunnelsOf(LiveServer server, Termination reason) {
        String detail = server.name() + (reason == Termination.SERVER_DOWN ? " marked down" : " removed");
        // backwards: closing swaps the last tunnel into the freed slot, which was seen already
        for (int i = tunnelCount - 1; i >= 0; i--) {
            if (i < tunnelCount && tunnels[i].server() == server) {
                tunnels[i].end(reason, detail);
            }
        }
    }

    /**
     * Ends up to {@code max} of this loop's tunnels that {@code ending} takes (and that are not
     * ending already); returns how many. A tunnel whose end throws is counted and cut.
     */
    int endTunnels(PacedEnding ending, int max) {
        int n = 0;
        for (int i = tunnelCount - 1; i >= 0 && n < max; i--) {
            if (i >= tunnelCount) {
                continue;
            }
            Tunnel t = tunnels[i];
            if (t.isEnding() || !ending.takes(t)) {
                continue;
            }
            n++;
            try {
                t.end(ending.reason, ending.detail);
            } catch (RuntimeException e) {
                countFault(t, e);
                t.onFault(e);
            }
        }
        return n;
    }

    /** Cuts this loop's tunnels on {@code server} that are still open (ending or not). */
    void cutTunnelsOf(LiveServer server, Termination reason, String detail) {
        for (int i = tunnelCount - 1; i >= 0; i--) {
            if (i < tunnelCount && tunnels[i].server() == server) {
                tunnels[i].close(reason, detail);
            }
        }
    }

    void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "selector_close_failed loop=" + index, e);
        }
    }

    /**
     * The loop's last act: after a normal stop, close everything; after a failure, also close
     * everything except the listening sockets, which go to a live loop so no address goes deaf.
     */
    private void closeEverything(Throwable died) {
        List<Listener> orphans = died == null ? List.of() : List.copyOf(listeners);
        if (died == null) {
            closeListeners();
        } else {
            listeners.clear();
        }
        try {
            closeAllTunnels(died == null ? Termination.SHUTDOWN : Termination.INTERNAL_ERROR,
                    died == null ? null : "event loop " + index + " failed: " + died);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "loop_close_failed loop=" + index, t);
        }
        closeForgotten(closingCount);
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Listener l && orphans.contains(l)) {
                continue;
            }
            try {
                key.channel().close(); // health probes and anything else still registered
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "channel_close_failed loop=" + index, e);
            }
        }
        try {
            selector.close(); // deregisters the orphaned listeners' channels too
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "selector_close_failed loop=" + index, e);
        }
        for (Listener l : orphans) {
            group.rehome(l);
        }
    }
}
