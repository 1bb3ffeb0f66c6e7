package lb.examples.loadgen;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jctools.queues.MpscUnboundedArrayQueue;

import lb.examples.broker.PacketCursor;

/**
 * One thread and one selector driving a share of the simulated clients. Owned state (its
 * clients, their sockets, the publishing schedule) is touched only on this thread; the driver
 * reaches it through a JCTools MPSC command queue ({@link #execute}).
 *
 * <p>Duty cycle: select and handle ready keys, release ports of sockets the select just
 * closed, run commands, every {@value #SCAN_INTERVAL_MS} ms scan clients for timeouts and
 * pings, publish what the schedule says is due, then flush every client written to.
 */
final class ClientLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(ClientLoop.class.getName());
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    private static final int COMMAND_LIMIT = 4096;
    private static final long SCAN_INTERVAL_MS = 50;
    private static final long IDLE_SELECT_MS = SCAN_INTERVAL_MS;
    private static final long PUBLISHING_SELECT_MS = 1;

    final LoadConfig config;
    final LoadStats stats;
    final SourceAddresses sources;
    final Selector selector;
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    final PacketCursor cursor = new PacketCursor();
    final long connectTimeoutNs;
    final long keepAliveNs;
    /** Null on the plain path. */
    final ClientTls tls;
    final TlsBuffers tlsBuffers;
    private final MpscUnboundedArrayQueue<Runnable> commands = new MpscUnboundedArrayQueue<>(1024);
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final List<LoadClient> clients = new ArrayList<>();
    private final List<LoadClient> publishers = new ArrayList<>();
    private final List<LoadClient> dirty = new ArrayList<>();
    private final List<SourceAddresses.Lease> closedLeases = new ArrayList<>();
    private final Thread thread;
    private boolean running = true;
    private boolean publishing;
    private long publishStartNs;
    private long publishEndNs;
    private double messagesPerNsPerPublisher;
    private long nextScanNs;
    private volatile long cpuNs;

    /** {@code tls}: how clients speak TLS, or null for the plain path. */
    ClientLoop(int index, LoadConfig config, LoadStats stats, SourceAddresses sources, ClientTls tls) throws IOException {
        this.config = config;
        this.stats = stats;
        this.sources = sources;
        this.tls = tls;
        this.tlsBuffers = tls == null ? null : new TlsBuffers(tls.bufferSize());
        this.connectTimeoutNs = config.connectTimeout().toNanos();
        this.keepAliveNs = config.keepAlive().toNanos();
        this.selector = Selector.open();
        this.thread = new Thread(this, "load-client-" + index);
        this.thread.setDaemon(true);
    }

    /** Creates a client owned by this loop. Before {@link #start} only. */
    LoadClient add(LoadClient.Role role, int index, String clientId, int publisherCount) {
        LoadClient client = new LoadClient(this, role, index, clientId, publisherCount);
        clients.add(client);
        if (role == LoadClient.Role.PUBLISHER) {
            publishers.add(client);
        }
        return client;
    }

    void start() {
        thread.start();
    }

    /** Runs {@code command} on this loop. Any thread. */
    void execute(Runnable command) {
        commands.offer(command);
        selector.wakeup();
    }

    /** Ends the loop after running what is queued; the driver then {@link #join}s it. */
    void stop() {
        execute(() -> running = false);
    }

    boolean join(long timeout, TimeUnit unit) throws InterruptedException {
        thread.join(unit.toMillis(timeout));
        return !thread.isAlive();
    }

    /** CPU time this loop's thread used; final once the loop has ended. */
    long cpuNs() {
        return cpuNs;
    }

    @Override
    public void run() {
        try {
            while (running) {
                runOnce();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "load_client_loop_failed " + thread.getName(), e);
        } finally {
            for (LoadClient client : clients) {
                client.disconnect();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // The loop is over either way.
            }
            cpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }
    }

    private void runOnce() throws IOException {
        int closedBeforeSelect = closedLeases.size();
        // Publishing wakes every millisecond: pacing needs it, and flat out is bounded by the
        // window and pending bytes, refilled on each wake, rather than by spinning.
        selector.select(onSelected, publishing ? PUBLISHING_SELECT_MS : IDLE_SELECT_MS);
        releaseClosedLeases(closedBeforeSelect);
        long nowNs = System.nanoTime();
        Runnable command;
        for (int i = 0; i < COMMAND_LIMIT && (command = commands.poll()) != null; i++) {
            command.run();
        }
        if (nowNs - nextScanNs >= 0) {
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).onScan(nowNs);
            }
            nextScanNs = nowNs + TimeUnit.MILLISECONDS.toNanos(SCAN_INTERVAL_MS);
        }
        if (publishing) {
            publishDue(nowNs);
        }
        for (int i = 0; i < dirty.size(); i++) {
            dirty.get(i).flush();
        }
        dirty.clear();
    }

    private void onSelected(SelectionKey key) {
        ((LoadClient) key.attachment()).onReady(key);
    }

    /** Starts this loop's publishers: {@code totalRate} messages/s shared by all publishers, 0 = flat out. */
    void startPublishing(long startNs, long endNs, double totalRate, int publisherCount) {
        publishing = true;
        publishStartNs = startNs;
        publishEndNs = endNs;
        messagesPerNsPerPublisher = totalRate / publisherCount / 1e9;
    }

    void stopPublishing() {
        publishing = false;
    }

    private void publishDue(long nowNs) {
        if (nowNs - publishEndNs >= 0) {
            publishing = false;
            return;
        }
        long room = messagesPerNsPerPublisher > 0 ? Long.MAX_VALUE : windowRoom();
        if (room <= 0) {
            return; // looked at again within the millisecond
        }
        long due = messagesPerNsPerPublisher > 0
                ? 1 + (long) ((nowNs - publishStartNs) * messagesPerNsPerPublisher) : Long.MAX_VALUE;
        long limit = config.messagesPerPublisher();
        long target = limit > 0 ? Math.min(due, limit) : due;
        for (int i = 0; i < publishers.size() && room > 0; i++) {
            room -= publishers.get(i).publishUpTo(target, room, nowNs);
        }
    }

    /**
     * Flat out, the messages this round may publish: the end-to-end window less the messages
     * published and not yet received by every subscriber. Each loop reads it once per round,
     * so with several loops the window may be passed by as many times over, no more.
     */
    private long windowRoom() {
        long window = config.flatOutWindow();
        int subscribers = config.subscribers();
        if (window == 0 || subscribers == 0) {
            return Long.MAX_VALUE;
        }
        return window - (stats.published.sum() - stats.received.sum() / subscribers);
    }

    /** Disconnects and reconnects every READY client of this loop at once. */
    void reconnectAll() {
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).reconnect();
        }
    }

    void disconnectAll() {
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).disconnect();
        }
    }

    void markDirty(LoadClient client) {
        dirty.add(client);
    }

    /**
     * A closed registered socket keeps its port until the next select deregisters it, so its
     * port goes back to the range only then; reusing it earlier could clash with the old socket.
     */
    void releaseAfterSelect(SourceAddresses.Lease lease) {
        if (lease.port() != 0) {
            closedLeases.add(lease);
        }
    }

    private void releaseClosedLeases(int count) {
        if (count == 0) {
            return;
        }
        List<SourceAddresses.Lease> released = closedLeases.subList(0, count);
        for (int i = 0; i < count; i++) {
            sources.release(released.get(i));
        }
        released.clear();
    }
}
