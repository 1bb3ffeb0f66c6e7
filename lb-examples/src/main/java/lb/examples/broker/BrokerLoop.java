package lb.examples.broker;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * One thread and one selector of a fake broker, with the connections it owns. Owned state is
 * touched only on this thread. Other threads reach it through two JCTools MPSC queues: commands
 * ({@link #execute}) and deliveries for its subscribers ({@link #offer}); neither takes a lock.
 *
 * <p>Duty cycle: select and handle ready keys (replies and same-loop deliveries are appended to
 * connections' writers), run queued commands, deliver queued messages, then flush every
 * connection written to and wake each peer loop given work, once per cycle.
 *
 * <p>The loop at index 0 also accepts, handing connections to the loops in turn.
 */
final class BrokerLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(BrokerLoop.class.getName());
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    private static final int ACCEPT_LIMIT = 256;
    private static final int COMMAND_LIMIT = 4096;
    private static final int DELIVERY_LIMIT = 65_536;
    private static final int QUEUE_CHUNK = 1024;
    private static final long SELECT_TIMEOUT_MS = 1_000;

    final int index;
    final RunningBroker broker;
    final BrokerCounters counters;
    final BrokerProtocol protocol;
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private final Selector selector;
    private final MpscUnboundedArrayQueue<Runnable> commands = new MpscUnboundedArrayQueue<>(QUEUE_CHUNK);
    private final MpscUnboundedArrayQueue<Delivery> deliveries = new MpscUnboundedArrayQueue<>(QUEUE_CHUNK);
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final List<BrokerConnection> connections = new ArrayList<>();
    private final List<BrokerConnection> dirty = new ArrayList<>();
    private final List<Map<BrokerConnection, Integer>> matches = new ArrayList<>();
    private final Map<BrokerConnection, Integer> merged = new IdentityHashMap<>();
    private final Thread thread;
    private boolean[] peersToWake;
    private ServerSocketChannel listener;
    private int nextLoop;
    private boolean running = true;
    private boolean abortOnExit;

    BrokerLoop(int index, RunningBroker broker, String threadName) throws IOException {
        this.index = index;
        this.broker = broker;
        this.counters = broker.counters;
        this.protocol = new BrokerProtocol(this);
        this.selector = Selector.open();
        this.thread = new Thread(this, threadName);
        this.thread.setDaemon(true);
    }

    /** Called once before {@link #start}: this loop accepts on {@code channel}. */
    void listenOn(ServerSocketChannel channel) throws IOException {
        this.listener = channel;
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_ACCEPT, this);
    }

    void start() {
        peersToWake = new boolean[broker.loops.length];
        thread.start();
    }

    /** Runs {@code command} on this loop. Any thread. */
    void execute(Runnable command) {
        commands.offer(command);
        selector.wakeup();
    }

    /** Queues a delivery without waking: the sender wakes each peer once per cycle. Any thread. */
    void offer(Delivery delivery) {
        deliveries.offer(delivery);
    }

    /** Closes the listener and every connection (with a reset if {@code abort}), then ends. Any thread. */
    void shutdown(boolean abort) {
        execute(() -> {
            abortOnExit = abort;
            running = false;
        });
    }

    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        thread.join(unit.toMillis(timeout));
        return !thread.isAlive();
    }

    boolean isLoopThread() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void run() {
        try {
            while (running) {
                runOnce();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "broker_loop_failed " + thread.getName(), e);
        } finally {
            closeEverything();
        }
    }

    private void runOnce() throws IOException {
        selector.select(onSelected, SELECT_TIMEOUT_MS);
        Runnable command;
        for (int i = 0; i < COMMAND_LIMIT && (command = commands.poll()) != null; i++) {
            command.run();
        }
        Delivery delivery;
        for (int i = 0; i < DELIVERY_LIMIT && (delivery = deliveries.poll()) != null; i++) {
            delivery.target().deliver(delivery.message(), delivery.qos());
        }
        flushDirty();
        wakePeers();
    }

    private void onSelected(SelectionKey key) {
        Object attachment = key.attachment();
        if (attachment instanceof BrokerConnection connection) {
            connection.onReady(key);
        } else {
            onAcceptable();
        }
    }

    private void onAcceptable() {
        for (int i = 0; i < ACCEPT_LIMIT; i++) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "accept_failed", e);
                return;
            }
            if (channel == null) {
                return;
            }
            BrokerLoop target = broker.loops[nextLoop++ % broker.loops.length];
            if (target == this) {
                register(channel);
            } else {
                target.execute(() -> target.register(channel));
            }
        }
    }

    private void register(SocketChannel channel) {
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            BrokerConnection connection = new BrokerConnection(this, channel);
            connection.attach(channel.register(selector, 0, connection), connections.size());
            connections.add(connection);
            counters.openConnections.incrementAndGet();
            connection.updateInterest();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "register_failed", e);
            closeQuietly(channel);
        }
    }

    /** Routes a message received on this loop to every matching subscriber, on whichever loop. */
    void route(Message message, int qos) {
        broker.subscriptions.collect(message.topic(), matches);
        if (matches.size() == 1) {
            for (Map.Entry<BrokerConnection, Integer> entry : matches.get(0).entrySet()) {
                deliverTo(entry.getKey(), message, Math.min(qos, entry.getValue()));
            }
        } else if (matches.size() > 1) {
            // One copy per subscriber, at the highest QoS of its matching filters (3.1.1 section 3.3.5).
            for (Map<BrokerConnection, Integer> subscribers : matches) {
                for (Map.Entry<BrokerConnection, Integer> entry : subscribers.entrySet()) {
                    merged.merge(entry.getKey(), entry.getValue(), Math::max);
                }
            }
            for (Map.Entry<BrokerConnection, Integer> entry : merged.entrySet()) {
                deliverTo(entry.getKey(), message, Math.min(qos, entry.getValue()));
            }
            merged.clear();
        }
        matches.clear();
    }

    private void deliverTo(BrokerConnection target, Message message, int qos) {
        BrokerLoop owner = target.loop;
        if (owner == this) {
            target.deliver(message, qos);
        } else {
            owner.offer(new Delivery(target, message, qos));
            peersToWake[owner.index] = true;
        }
    }

    /** Flushes {@code connection} at the end of this cycle, with whatever else was written to it. */
    void markDirty(BrokerConnection connection) {
        dirty.add(connection);
    }

    /** Re-applies interest ops after the broker's stall setting changed. */
    void applyStall() {
        for (BrokerConnection connection : connections) {
            connection.updateInterest();
        }
    }

    /** Forgets a closed connection: swaps the last one into its slot. */
    void forget(BrokerConnection connection, int slot) {
        BrokerConnection last = connections.remove(connections.size() - 1);
        if (last != connection) {
            connections.set(slot, last);
            last.moveTo(slot);
        }
        counters.openConnections.decrementAndGet();
    }

    private void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) {
            dirty.get(i).flush();
        }
        dirty.clear();
    }

    private void wakePeers() {
        for (int i = 0; i < peersToWake.length; i++) {
            if (peersToWake[i]) {
                peersToWake[i] = false;
                broker.loops[i].selector.wakeup();
            }
        }
    }

    private void closeEverything() {
        if (listener != null) {
            closeQuietly(listener);
        }
        while (!connections.isEmpty()) {
            connections.get(connections.size() - 1).close(abortOnExit);
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "selector_close_failed", e);
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close_failed", e);
        }
    }
}
