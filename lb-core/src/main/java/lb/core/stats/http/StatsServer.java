package lb.core.stats.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

import lb.core.stats.HostPort;

/**
 * The stats endpoint's HTTP server: one daemon thread and one selector of its own, never an
 * event loop of the balancer. Owned by that thread; other threads only read {@link #refusals()}
 * and call {@link #close()}.
 *
 * <p>Why not the JDK's {@code HttpServer}: it reads a request on its worker thread with no
 * deadline, so one client that sends a byte and stops held the only worker, and every scrape
 * behind it waited as long as that client stayed connected. Here no socket operation blocks;
 * each {@link StatsConnection} has a deadline that this thread enforces, and at most
 * {@code maxConnections} are open: beyond that a new connection is reset at once and counted,
 * so a flood of silent clients costs each of them a slot for one deadline, and scrapes get
 * through as soon as slots free. Rendering an answer runs on this thread too; it takes
 * milliseconds.
 *
 * <p>Duty cycle: select (until the earliest deadline), handle ready keys, then close every
 * connection whose deadline has passed.
 */
final class StatsServer implements Runnable {
    private static final System.Logger LOG = System.getLogger(StatsServer.class.getName());
    /** Accepts per readiness, so a connection flood cannot keep the thread from its clients. */
    private static final int ACCEPT_BATCH = 64;
    /** A failed accept (out of descriptors, say) repeats at once if retried; pause instead. */
    private static final long ACCEPT_PAUSE_NS = 100_000_000L;
    /** Connections waiting in the kernel while this thread renders; more are refused anyway. */
    private static final int BACKLOG = 64;
    private static final long CLOSE_WAIT_MS = 5_000;
    /** A flood refuses thousands a second: INFO says so once a minute, DEBUG names each client. */
    private static final long FULL_LOG_INTERVAL_NS = 60_000_000_000L;

    /** Why a connection was turned away or cut off; counted, and logged at DEBUG. */
    enum Refusal {
        OVER_LIMIT, READ_HEADER_TIMEOUT, WRITE_TIMEOUT, MALFORMED, UNAUTHORIZED;

        final String logName = name().toLowerCase(Locale.ROOT);
    }

    private final StatsRoutes routes;
    private final long readHeaderTimeoutNs;
    private final long writeTimeoutNs;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SelectionKey listenKey;
    private final InetSocketAddress address;
    private final StatsConnection[] open;
    private int openCount;
    /** Earliest deadline armed, or earlier (it is only lowered between sweeps); valid if {@link #hasDeadline}. */
    private long nextDeadlineNs;
    private boolean hasDeadline;
    private boolean acceptsPaused;
    private long acceptsResumeNs;
    private boolean loggedFull;
    private long loggedFullNs;
    private final AtomicLongArray refusals = new AtomicLongArray(Refusal.values().length);
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final Thread thread;
    private volatile boolean running = true;

    private StatsServer(ServerSocketChannel listener, Selector selector, StatsRoutes routes, int maxConnections,
                        long readHeaderTimeoutNs, long writeTimeoutNs) throws IOException {
        this.listener = listener;
        this.selector = selector;
        this.routes = routes;
        this.open = new StatsConnection[maxConnections];
        this.readHeaderTimeoutNs = readHeaderTimeoutNs;
        this.writeTimeoutNs = writeTimeoutNs;
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.listenKey = listener.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this, "lb-stats-http");
        thread.setDaemon(true);
    }

    /** Binds {@code address} and starts serving; any thread. */
    static StatsServer start(InetSocketAddress address, StatsRoutes routes, int maxConnections,
                             long readHeaderTimeoutNs, long writeTimeoutNs) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        Selector selector = null;
        try {
            // a restarted process may rebind its fixed port while old connections sit in TIME_WAIT
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, BACKLOG);
            listener.configureBlocking(false);
            selector = Selector.open();
            StatsServer server = new StatsServer(listener, selector, routes, maxConnections,
                    readHeaderTimeoutNs, writeTimeoutNs);
            server.thread.start();
            return server;
        } catch (IOException | RuntimeException e) {
            listener.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    StatsRoutes routes() {
        return routes;
    }

    long writeTimeoutNs() {
        return writeTimeoutNs;
    }

    /** Counts per {@link Refusal}, by ordinal; any thread, eventually consistent. */
    long refusals(Refusal why) {
        return refusals.get(why.ordinal());
    }

    @Override
    public void run() {
        try {
            while (running) {
                runOnce();
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "stats_endpoint_failed address=" + address
                    + "; the stats endpoint no longer answers", e);
        } finally {
            closeAll();
        }
    }

    private void runOnce() throws IOException {
        selector.select(onSelected, selectTimeoutMs(System.nanoTime()));
        long nowNs = System.nanoTime();
        if (hasDeadline && nowNs - nextDeadlineNs >= 0) {
            sweep(nowNs);
        }
    }

    /** Until the earliest deadline, rounded up so a deadline is never polled early; 0 blocks. */
    private long selectTimeoutMs(long nowNs) {
        if (!hasDeadline) {
            return 0;
        }
        long ns = nextDeadlineNs - nowNs;
        return ns <= 0 ? 1 : (ns + 999_999) / 1_000_000;
    }

    private void onSelected(SelectionKey key) {
        if (key == listenKey) {
            onAcceptable();
            return;
        }
        StatsConnection connection = (StatsConnection) key.attachment();
        try {
            connection.onReady(System.nanoTime());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "stats_connection_failed reason=\"" + e + "\"");
            connection.close();
        }
    }

    private void onAcceptable() {
        for (int i = 0; i < ACCEPT_BATCH; i++) {
            SocketChannel client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "stats_accept_failed reason=\"" + e.getMessage()
                        + "\"; pausing accepts for 100 ms");
                listenKey.interestOps(0);
                acceptsPaused = true;
                acceptsResumeNs = arm(System.nanoTime() + ACCEPT_PAUSE_NS);
                return;
            }
            if (client == null) {
                return;
            }
            if (openCount == open.length) {
                refuseOverLimit(client);
            } else {
                adopt(client);
            }
        }
    }

    private void adopt(SocketChannel client) {
        try {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = client.register(selector, SelectionKey.OP_READ);
            StatsConnection connection = new StatsConnection(this, client, key,
                    arm(System.nanoTime() + readHeaderTimeoutNs));
            key.attach(connection);
            connection.slot = openCount;
            open[openCount++] = connection;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "stats_connection_failed reason=\"" + e + "\"");
            closeQuietly(client);
        }
    }

    /** A reset rather than a FIN: the client learns at once, and no TIME_WAIT is left here. */
    private void refuseOverLimit(SocketChannel client) {
        refuse(Refusal.OVER_LIMIT, client);
        long nowNs = System.nanoTime();
        if (!loggedFull || nowNs - loggedFullNs >= FULL_LOG_INTERVAL_NS) {
            loggedFull = true;
            loggedFullNs = nowNs;
            long refused = refusals(Refusal.OVER_LIMIT);
            LOG.log(System.Logger.Level.INFO, () -> "stats_endpoint_full max_connections=" + open.length
                    + " refused_total=" + refused + "; new connections are refused while all are open");
        }
        try {
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            // closed with a FIN then; refused all the same
        }
        closeQuietly(client);
    }

    /** Counts a refusal and logs it at DEBUG; the caller closes or answers. Endpoint thread. */
    void refuse(Refusal why, SocketChannel client) {
        refusals.incrementAndGet(why.ordinal());
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "stats_connection_refused reason=" + why.logName
                    + " client=" + remote(client));
        }
    }

    /** Makes sure the cycle wakes by {@code deadlineNs}; returns it. Endpoint thread. */
    long arm(long deadlineNs) {
        if (!hasDeadline || deadlineNs - nextDeadlineNs < 0) {
            nextDeadlineNs = deadlineNs;
            hasDeadline = true;
        }
        return deadlineNs;
    }

    /** Closes what is overdue and finds the next deadline; with at most maxConnections open, a scan is cheap. */
    private void sweep(long nowNs) {
        hasDeadline = false;
        if (acceptsPaused) {
            if (nowNs - acceptsResumeNs >= 0) {
                acceptsPaused = false;
                listenKey.interestOps(SelectionKey.OP_ACCEPT);
            } else {
                arm(acceptsResumeNs);
            }
        }
        // downwards: a close moves the last connection, already visited, into the freed slot
        for (int i = openCount - 1; i >= 0; i--) {
            StatsConnection connection = open[i];
            if (nowNs - connection.deadlineNs() >= 0) {
                connection.onDeadline();
            } else {
                arm(connection.deadlineNs());
            }
        }
    }

    /** Gives up a closed connection's slot. Endpoint thread. */
    void forget(StatsConnection connection) {
        int slot = connection.slot;
        StatsConnection last = open[--openCount];
        open[slot] = last;
        last.slot = slot;
        open[openCount] = null;
    }

    /** Stops at once: connections are cut, the port and the thread released before this returns. Any thread. */
    void close() {
        running = false;
        selector.wakeup();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "stats_endpoint_close_slow address=" + address
                    + "; its thread is still answering a request");
        }
    }

    private void closeAll() {
        while (openCount > 0) {
            open[openCount - 1].close();
        }
        closeQuietly(listener);
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "stats_selector_close_failed reason=\"" + e + "\"");
        }
    }

    private static String remote(SocketChannel client) {
        try {
            SocketAddress a = client.getRemoteAddress();
            return a instanceof InetSocketAddress i ? HostPort.of(i) : String.valueOf(a);
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to tell anyone: the descriptor is released either way
        }
    }
}
