package lb.examples.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import lb.examples.broker.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every scenario at small scale against the fake broker, with counts checked on both sides. */
@Timeout(60)
class LoadGeneratorScenariosTest {
    private FakeBroker broker;

    @BeforeEach
    void startBroker() throws IOException {
        broker = new FakeBroker("load-target").start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private LoadConfig.Builder load(Scenario scenario) {
        return LoadConfig.builder(scenario, broker.address()).threads(2).clientIdPrefix("t-");
    }

    @Test
    void connectScenarioConnectsEveryClientExactlyOnce() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.CONNECT).clients(200).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertEquals(200, r.connectsStarted());
        assertEquals(200, r.connected());
        assertEquals(200, r.peakLive());
        assertEquals(200, r.connectLatency().getTotalCount());
        assertTrue(r.connectsPerSecond() > 0);
        assertEquals(200, broker.servedClientIds().size());
        assertTrue(broker.servedClientIds().contains("t-199"));
        awaitBrokerConnections(0);
    }

    @Test
    void connectAtARateIsPaced() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.CONNECT).clients(100).rate(400).build());
        assertEquals(100, r.connected());
        assertTrue(r.elapsedNs() >= TimeUnit.MILLISECONDS.toNanos(240), "100 connects at 400/s took " + r.elapsedNs() / 1e6 + " ms");
        assertTrue(r.connectsPerSecond() < 600, "rate " + r.connectsPerSecond());
    }

    @Test
    void idleHoldsEveryConnectionForTheDurationAndPings() throws Exception {
        LoadConfig config = load(Scenario.IDLE).clients(200).duration(Duration.ofMillis(1_500)).keepAlive(Duration.ofSeconds(1)).build();
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(() -> runQuietly(config));
        awaitBrokerConnections(200);
        LoadResult r = run.get(30, TimeUnit.SECONDS);
        assertTrue(r.isClean(), LoadReport.text(r));
        assertEquals(200, r.connected());
        assertTrue(r.elapsedNs() >= TimeUnit.MILLISECONDS.toNanos(1_500));
        assertTrue(r.pings() >= 200, "pings " + r.pings());
        awaitBrokerConnections(0);
    }

    @Test
    void pubsubAtQos1DeliversEveryMessageExactlyOnce() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.PUBSUB).publishers(10).subscribers(40).rate(2_000)
                .duration(Duration.ofSeconds(1)).qos(1).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertTrue(r.published() >= 1_000, "published " + r.published());
        assertEquals(r.published(), r.acked());
        assertEquals(r.published() * 40, r.expectedDeliveries());
        assertEquals(r.expectedDeliveries(), r.delivered());
        assertEquals(0, r.duplicates());
        assertEquals(0, r.lost());
        assertEquals(r.delivered(), r.deliveryLatency().getTotalCount());
        assertEquals(r.published(), broker.messagesReceived());
        assertEquals(r.delivered(), broker.messagesDelivered());
    }

    @Test
    void pubsubWithAMessageLimitStopsAtExactlyThatManyOverMqtt5() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.PUBSUB).mqttLevel(5).publishers(4).subscribers(5).rate(0)
                .messagesPerPublisher(250).messageSize(200).duration(Duration.ofSeconds(20)).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertEquals(1_000, r.published());
        assertEquals(5_000, r.delivered());
        assertTrue(r.elapsedNs() < TimeUnit.SECONDS.toNanos(10), "stopped at the limit, not the duration");
    }

    @Test
    void flatOutPublishersWaitWhileTheirWindowIsUnderWayToTheSubscriber() throws Exception {
        assertTrue(undeliveredAfterTheBrokerStalls(100) <= 2 * 100, "at most the window per loop, two loops");
        assertTrue(undeliveredAfterTheBrokerStalls(0) > 20 * 100, "unbounded, publishers fill what the sockets hold");
    }

    /**
     * Flat-out QoS 0 pub/sub that the broker stops serving once deliveries flow: what the
     * publishers sent that never arrived.
     */
    private long undeliveredAfterTheBrokerStalls(long window) throws Exception {
        broker.stallReads(false);
        long deliveredBefore = broker.messagesDelivered();
        LoadConfig config = load(Scenario.PUBSUB).publishers(4).subscribers(1).rate(0).qos(0)
                .flatOutWindow(window).duration(Duration.ofMillis(1_500)).build();
        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(() -> runQuietly(config));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (broker.messagesDelivered() == deliveredBefore && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        broker.stallReads(true);
        LoadResult r = run.get(40, TimeUnit.SECONDS);
        assertTrue(r.published() > 0 && r.delivered() > 0, LoadReport.text(r));
        return r.published() - r.delivered();
    }

    @Test
    void churnReconnectsWithTheSameClientIdsAtTheRate() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.CHURN).clients(100).rate(200).duration(Duration.ofSeconds(1)).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertTrue(r.reconnects() >= 150 && r.reconnects() <= 200, "reconnects " + r.reconnects());
        assertEquals(r.reconnects(), r.reconnectLatency().getTotalCount());
        assertEquals(100, broker.servedClientIds().size());
        assertEquals(100 + r.reconnects(), broker.connectsAccepted());
    }

    @Test
    void stormReconnectsEveryClientAtOnce() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.STORM).clients(200).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertEquals(200, r.reconnects());
        assertEquals(400, r.connected());
        assertTrue(r.stormRecoveryNs() > 0);
        assertEquals(200, r.reconnectLatency().getTotalCount());
        assertEquals(400, broker.connectsAccepted());
        assertEquals(200, broker.servedClientIds().size());
    }

    @Test
    void refusingBrokerIsCountedAsRefusals() throws Exception {
        broker.refuseConnects(true);
        LoadResult r = LoadGenerator.run(load(Scenario.CONNECT).clients(50).mqttLevel(5).build());
        assertEquals(50, r.refused());
        assertEquals(0, r.connected());
        assertFalse(r.isClean());
    }

    @Test
    void stalledBrokerMakesAttemptsTimeOut() throws Exception {
        broker.stallReads(true);
        LoadResult r = LoadGenerator.run(load(Scenario.CONNECT).clients(20).connectTimeout(Duration.ofMillis(300)).build());
        assertEquals(20, r.failed());
        assertEquals(Map.of("timeout_awaiting_connack", 20L), r.failureReasons());
    }

    @Test
    void closedPortFailsEveryAttemptWithTheReason() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        LoadResult r = LoadGenerator.run(LoadConfig.builder(Scenario.CONNECT, closed).clients(20).threads(2).build());
        assertEquals(20, r.failed());
        assertEquals(Map.of("connection_refused", 20L), r.failureReasons());
    }

    @Test
    void timeLimitStopsARunEarly() throws Exception {
        LoadResult r = LoadGenerator.run(load(Scenario.IDLE).clients(50).duration(Duration.ofSeconds(30))
                .timeLimit(Duration.ofMillis(800)).build());
        assertTrue(r.timedOut());
        assertFalse(r.isClean());
        assertTrue(r.elapsedNs() < TimeUnit.SECONDS.toNanos(5), "elapsed " + r.elapsedNs() / 1e9 + " s");
        awaitBrokerConnections(0);
    }

    @Test
    void twoSourceAddressesExceedWhatOneAllowsInANarrowPortRange() throws Exception {
        List<InetAddress> sources = sourceAddressesOfThisRun();
        int low = freePortRange(100, sources);
        LoadResult one = LoadGenerator.run(load(Scenario.CONNECT).clients(150)
                .sourceAddresses(sources.subList(0, 1)).sourcePorts(low, low + 99).build());
        assertEquals(100, one.connected(), LoadReport.text(one));
        assertEquals(Map.of("no_source_port", 50L), one.failureReasons());
        LoadResult two = LoadGenerator.run(load(Scenario.CONNECT).clients(150).clientIdPrefix("two-")
                .sourceAddresses(sources).sourcePorts(low, low + 99).build());
        assertTrue(two.isClean(), LoadReport.text(two));
        assertEquals(150, two.connected());
    }

    /**
     * Two loopback addresses of this run's own, 127.77.x.y and the next: no other test binds in
     * 127.77/16, so the sockets the rest of the suite leaves on 127.0.0.1 (thousands in
     * TIME_WAIT, over an ephemeral range that may be all of 1024-65535) cannot hold their ports,
     * and a random pair keeps a rerun clear of this run's own leftovers.
     */
    private static List<InetAddress> sourceAddressesOfThisRun() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte x = (byte) random.nextInt(256);
        int y = 1 + random.nextInt(253);
        return List.of(InetAddress.getByAddress(new byte[] {127, 77, x, (byte) y}),
                InetAddress.getByAddress(new byte[] {127, 77, x, (byte) (y + 1)}));
    }

    /**
     * A run of {@code count} ports no socket holds on any of {@code addresses} (a listener on
     * the wildcard address would), probed by binding each; random starting points, bounded tries.
     */
    private static int freePortRange(int count, List<InetAddress> addresses) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 50; attempt++) {
            int low = 10_000 + random.nextInt(500) * count;
            if (isFree(low, count, addresses)) {
                return low;
            }
        }
        throw new IllegalStateException("no free range of " + count + " ports on " + addresses + " in 50 tries");
    }

    private static boolean isFree(int low, int count, List<InetAddress> addresses) throws IOException {
        for (InetAddress host : addresses) {
            for (int port = low; port < low + count; port++) {
                try (ServerSocket probe = new ServerSocket()) {
                    probe.bind(new InetSocketAddress(host, port));
                } catch (IOException taken) {
                    return false;
                }
            }
        }
        return true;
    }

    private void awaitBrokerConnections(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (broker.openConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, broker.openConnections());
    }

    private static LoadResult runQuietly(LoadConfig config) {
        try {
            return LoadGenerator.run(config);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
