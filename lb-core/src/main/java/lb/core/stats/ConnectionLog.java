package lb.core.stats;

import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import lb.core.model.TunnelEvent;
import lb.core.model.TunnelListener;

/**
 * A {@link TunnelListener} that writes one tcplog-style line per finished tunnel (format in
 * {@link ConnectionLogLine}) through the {@code System.Logger} {@value #LOGGER_NAME}, at INFO.
 * Turned on with {@code LoadBalancer.builder().connectionLog(true)}.
 *
 * <p>Off by default: with hundreds of thousands of MQTT clients, a reconnect storm makes a line
 * per client within seconds, which buries every other log and costs disk and CPU exactly when
 * the node is busiest, while the counters and termination reasons in {@code stats()} already
 * tell the story. Turn it on to follow individual clients, or where connections are few.
 *
 * <p>It never slows the event loops: a loop only offers the event to a bounded queue (nothing
 * at all when INFO is off for the logger); a writer thread, started on demand and gone after
 * {@link #IDLE_EXIT_MS} idle, formats and logs. When the queue is full the event is dropped and
 * counted, and the writer logs the count as {@code connection_log_dropped} once it catches up.
 * Thread-safe.
 */
public final class ConnectionLog implements TunnelListener {
    public static final String LOGGER_NAME = "lb.connections";
    /** About 2 MB of events at most: a storm's first seconds, not an unbounded backlog. */
    static final int QUEUE_CAPACITY = 16_384;
    static final long IDLE_EXIT_MS = 10_000;

    private final System.Logger logger;
    private final BlockingQueue<TunnelEvent> queue;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    /** Drops already logged; touched by the one writer thread running at a time. */
    private long droppedLogged;

    /** Logs to the {@code System.Logger} {@value #LOGGER_NAME}. */
    public ConnectionLog() {
        this(System.getLogger(LOGGER_NAME));
    }

    public ConnectionLog(System.Logger logger) {
        this(logger, QUEUE_CAPACITY);
    }

    ConnectionLog(System.Logger logger, int queueCapacity) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
    }

    @Override
    public void onTunnelClosed(TunnelEvent event) {
        if (!logger.isLoggable(System.Logger.Level.INFO)) {
            return;
        }
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
            return;
        }
        if (!writing.get() && writing.compareAndSet(false, true)) {
            Thread writer = new Thread(this::write, "lb-connection-log");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** Lines dropped because the writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Writes until idle, then leaves. Before leaving it re-checks the queue: an event offered
     * while it was deciding to stop either finds it gone (and starts a writer) or is written.
     */
    private void write() {
        try {
            while (true) {
                TunnelEvent e = queue.poll(IDLE_EXIT_MS, TimeUnit.MILLISECONDS);
                if (e != null) {
                    logDrops();
                    logger.log(System.Logger.Level.INFO, ConnectionLogLine.format(e));
                    continue;
                }
                logDrops();
                writing.set(false);
                if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            writing.set(false);
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            writing.set(false);
            logger.log(System.Logger.Level.WARNING, "connection_log_failed", e);
        }
    }

    private void logDrops() {
        long now = dropped.get();
        if (now != droppedLogged) {
            logger.log(System.Logger.Level.WARNING, "connection_log_dropped count=" + (now - droppedLogged)
                    + " total=" + now);
            droppedLogged = now;
        }
    }
}
