package lb.examples.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs one load: creates the clients, spreads them over the client loops, and carries out the
 * scenario's steps on the calling thread. The loops do all socket work; the driver only issues
 * commands, paces them, and watches the counters. Not thread-safe: one run, one thread.
 *
 * <p>Every step waits with a deadline no later than the run's time limit; past it, the run
 * stops where it is and the result says it timed out.
 */
final class LoadDriver {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** After publishing stops, acknowledgements and deliveries get this long to arrive. */
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long LOOP_COMMAND_TIMEOUT_SECONDS = 10;

    private final LoadConfig config;
    private final LoadStats stats = new LoadStats();
    private final ClientLoop[] loops;
    private final List<LoadClient> clients = new ArrayList<>();
    private final List<LoadClient> publishers = new ArrayList<>();
    private final List<LoadClient> subscribers = new ArrayList<>();
    private final ProgressLine progress;
    private long startNs;
    private long deadlineNs;
    private boolean timedOut;
    private long firstConnected;
    private long firstConnectNs;
    private long reconnects;
    private long stormRecoveryNs;
    private long expectedDeliveries;
    private long publishNs;
    private long deliveryNs;

    LoadDriver(LoadConfig config, PrintStream progressOut) throws IOException {
        this.config = config;
        SourceAddresses sources = new SourceAddresses(config.sourceAddresses(), config.sourcePortLow(), config.sourcePortHigh());
        ClientTls tls = config.tls() == null ? null : ClientTls.forProcess(config.tls(), config.target());
        this.loops = new ClientLoop[config.threads()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new ClientLoop(i, config, stats, sources, tls);
        }
        String prefix = config.clientIdPrefix();
        if (config.scenario().isPubSub()) {
            for (int i = 0; i < config.subscribers(); i++) {
                subscribers.add(loops[i % loops.length].add(LoadClient.Role.SUBSCRIBER, i, prefix + "sub-" + i, config.publishers()));
            }
            for (int i = 0; i < config.publishers(); i++) {
                publishers.add(loops[i % loops.length].add(LoadClient.Role.PUBLISHER, i, prefix + "pub-" + i, 0));
            }
        } else {
            for (int i = 0; i < config.clients(); i++) {
                clients.add(loops[i % loops.length].add(LoadClient.Role.PLAIN, i, prefix + i, 0));
            }
        }
        this.progress = new ProgressLine(progressOut, stats, config.scenario().cliName());
    }

    LoadConfig config() {
        return config;
    }

    List<LoadClient> clients() {
        return Collections.unmodifiableList(clients);
    }

    List<LoadClient> publishers() {
        return Collections.unmodifiableList(publishers);
    }

    List<LoadClient> subscribers() {
        return Collections.unmodifiableList(subscribers);
    }

    LoadResult run() throws InterruptedException {
        startNs = System.nanoTime();
        deadlineNs = startNs + config.timeLimit().toNanos();
        progress.start(startNs);
        for (ClientLoop loop : loops) {
            loop.start();
        }
        try {
            config.scenario().run(this);
        } finally {
            onEveryLoop(ClientLoop::disconnectAll);
            for (ClientLoop loop : loops) {
                loop.stop();
            }
            for (ClientLoop loop : loops) {
                loop.join(LOOP_COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            progress.finish(System.nanoTime());
        }
        return result(System.nanoTime());
    }

    /**
     * Opens every client of {@code group} for the first time at {@code rate} per second (0:
     * flat out), never more than the configured number in flight, and waits until each has
     * settled.
     */
    void connect(List<LoadClient> group, double rate) throws InterruptedException {
        long settledBefore = stats.settled.sum();
        long connectedBefore = stats.connected.sum();
        stats.lastConnackNs.reset();
        long t0 = System.nanoTime();
        int next = 0;
        while (next < group.size() && !isPastDeadline()) {
            long nowNs = System.nanoTime();
            long allowed = rate > 0 ? Math.min(group.size(), 1 + (long) ((nowNs - t0) * rate / 1e9)) : group.size();
            long inFlight = next - (stats.settled.sum() - settledBefore);
            long batch = Math.min(allowed - next, config.maxConnectsInFlight() - inFlight);
            for (long i = 0; i < batch; i++) {
                LoadClient client = group.get(next++);
                client.loop.execute(() -> client.open(false));
            }
            progress.maybePrint(nowNs);
            if (next < group.size()) {
                LockSupport.parkNanos(POLL_NS);
            }
        }
        int dispatched = next;
        awaitUntil(() -> stats.settled.sum() - settledBefore >= dispatched, deadlineNs);
        long last = stats.lastConnackNs.get();
        firstConnected += stats.connected.sum() - connectedBefore;
        firstConnectNs += (last == Long.MIN_VALUE ? System.nanoTime() : last) - t0;
    }

    /** Keeps every connection as it is for {@code duration}: clients ping, nothing else happens. */
    void hold(Duration duration) throws InterruptedException {
        long endNs = System.nanoTime() + duration.toNanos();
        awaitUntil(() -> System.nanoTime() - endNs >= 0, deadlineNs);
    }

    /**
     * For {@code duration}, disconnects and reconnects clients of {@code group} in turn at
     * {@code rate} per second (0: as fast as the in-flight limit allows), then waits for the
     * last reconnects to settle.
     */
    void churn(List<LoadClient> group, double rate, Duration duration) throws InterruptedException {
        long settledBefore = stats.settled.sum();
        long skippedBefore = stats.reconnectsSkipped.sum();
        long readyBefore = stats.ready.sum();
        long t0 = System.nanoTime();
        long endNs = t0 + duration.toNanos();
        long dispatched = 0;
        while (!isPastDeadline()) {
            long nowNs = System.nanoTime();
            if (nowNs - endNs >= 0) {
                break;
            }
            long finished = stats.settled.sum() - settledBefore + stats.reconnectsSkipped.sum() - skippedBefore;
            long due = rate > 0 ? (long) ((nowNs - t0) * rate / 1e9) : finished + config.maxConnectsInFlight();
            for (; dispatched < due; dispatched++) {
                LoadClient client = group.get((int) (dispatched % group.size()));
                client.loop.execute(client::reconnect);
            }
            progress.maybePrint(nowNs);
            LockSupport.parkNanos(POLL_NS);
        }
        long total = dispatched;
        awaitUntil(() -> stats.settled.sum() - settledBefore + stats.reconnectsSkipped.sum() - skippedBefore >= total, deadlineNs);
        reconnects += stats.ready.sum() - readyBefore;
    }

    /** Every connected client of the run disconnects and reconnects at the same moment. */
    void storm(List<LoadClient> group) throws InterruptedException {
        long settledBefore = stats.settled.sum();
        long skippedBefore = stats.reconnectsSkipped.sum();
        long readyBefore = stats.ready.sum();
        stats.lastConnackNs.reset();
        long t0 = System.nanoTime();
        for (ClientLoop loop : loops) {
            loop.execute(loop::reconnectAll);
        }
        int size = group.size();
        awaitUntil(() -> stats.settled.sum() - settledBefore + stats.reconnectsSkipped.sum() - skippedBefore >= size, deadlineNs);
        reconnects += stats.ready.sum() - readyBefore;
        long last = stats.lastConnackNs.get();
        stormRecoveryNs = last == Long.MIN_VALUE ? 0 : last - t0;
    }

    /**
     * Publishers publish for the configured duration (or until each sent its message limit);
     * then acknowledgements and deliveries get a bounded time to arrive.
     */
    void publish() throws InterruptedException {
        long readySubscribers = stats.subscribed.sum();
        long readyPublishers = stats.ready.sum() - readySubscribers;
        long t0 = System.nanoTime();
        long endNs = t0 + config.duration().toNanos();
        onEveryLoop(loop -> loop.startPublishing(t0, endNs, config.rate(), config.publishers()));
        long limit = config.messagesPerPublisher();
        long allMessages = limit > 0 ? limit * readyPublishers : Long.MAX_VALUE;
        awaitUntil(() -> System.nanoTime() - endNs >= 0 || stats.published.sum() >= allMessages, deadlineNs);
        onEveryLoop(ClientLoop::stopPublishing);
        publishNs = Math.min(System.nanoTime(), endNs) - t0;
        long published = stats.published.sum();
        long drainDeadlineNs = Math.min(deadlineNs, System.nanoTime() + DRAIN_NS);
        if (config.qos() > 0) {
            awaitUntil(() -> stats.acked.sum() >= published, drainDeadlineNs);
        }
        expectedDeliveries = published * readySubscribers;
        awaitUntil(() -> stats.received.sum() >= expectedDeliveries, drainDeadlineNs);
        long last = stats.lastDeliveryNs.get();
        deliveryNs = last == Long.MIN_VALUE ? 0 : last - t0;
    }

    private void onEveryLoop(Consumer<ClientLoop> command) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(loops.length);
        for (ClientLoop loop : loops) {
            loop.execute(() -> {
                try {
                    command.accept(loop);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(LOOP_COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Polls {@code done} until true or {@code untilNs}; reaching the run's deadline marks it timed out. */
    private void awaitUntil(BooleanSupplier done, long untilNs) throws InterruptedException {
        while (!done.getAsBoolean()) {
            long nowNs = System.nanoTime();
            if (nowNs - untilNs >= 0) {
                if (untilNs == deadlineNs) {
                    timedOut = true;
                }
                return;
            }
            progress.maybePrint(nowNs);
            LockSupport.parkNanos(POLL_NS);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private boolean isPastDeadline() {
        if (System.nanoTime() - deadlineNs >= 0) {
            timedOut = true;
        }
        return timedOut;
    }

    private LoadResult result(long endNs) {
        stats.drainLatencies();
        long delivered = stats.received.sum();
        long unique = delivered - stats.duplicates.sum();
        long cpuNs = 0;
        for (ClientLoop loop : loops) {
            cpuNs += loop.cpuNs();
        }
        int planned = config.scenario().isPubSub() ? publishers.size() + subscribers.size() : clients.size();
        return new LoadResult(
                config.scenario(),
                config.target().getAddress().getHostAddress() + ":" + config.target().getPort(),
                config.mqttLevel(),
                planned,
                endNs - startNs,
                timedOut,
                stats.connectsStarted.sum(),
                stats.connected.sum(),
                stats.refused.sum(),
                stats.failed.sum(),
                stats.failureReasons(),
                stats.dropped.sum(),
                stats.peakLive.get(),
                perSecond(firstConnected, firstConnectNs),
                reconnects,
                stormRecoveryNs,
                stats.published.sum(),
                stats.acked.sum(),
                delivered,
                expectedDeliveries,
                stats.duplicates.sum(),
                Math.max(0, expectedDeliveries - unique),
                perSecond(stats.published.sum(), publishNs),
                perSecond(delivered, deliveryNs),
                stats.pings.sum(),
                stats.handshakes.sum(),
                stats.resumedHandshakes.sum(),
                stats.negotiated,
                stats.connectLatency().copy(),
                stats.reconnectLatency().copy(),
                stats.deliveryLatency().copy(),
                stats.handshakeLatency().copy(),
                cpuNs);
    }

    private static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : count * 1e9 / nanos;
    }
}
