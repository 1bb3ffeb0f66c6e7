package lb.examples.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

import lb.core.LoadBalancer;
import lb.core.config.Pacing;
import lb.core.config.Rebalance;
import lb.core.model.Termination;
import lb.core.stats.RebalanceStats;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * The fleet operations at fleet scale, with raw MQTT clients on one thread (each with a will),
 * fake brokers and a two-loop balancer, printing what happened:
 *
 * <pre>
 * FleetOperations storm N RATE QUEUE_S   N 3.1.1 clients at once on a fresh broker (a process of its
 *                                        own) limited to RATE connects a second, queue timeout QUEUE_S
 * FleetOperations drain N RATE           N 3.1.1 and N 5.0 clients on broker a, b added, a removed at
 *                                        RATE a second; they reconnect to b
 * FleetOperations rebalance N RATE       N 3.1.1 and N 5.0 clients on a, b, c; d added; rebalanced at
 *                                        RATE a second
 * </pre>
 *
 * Connects are counted at the balancer (a server's connected tunnels), each just before its
 * CONNECT reaches the broker. Tunnel end times are when each tunnel closed, after both peers did.
 */
public final class FleetOperations {
    private static final int WAIT_S = 120;

    private FleetOperations() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: FleetOperations storm N RATE QUEUE_S | drain N RATE | rebalance N RATE");
            System.exit(2);
        }
        int n = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "storm" -> storm(n, rate, Duration.ofSeconds(Integer.parseInt(args[3])));
            case "drain" -> drain(n, rate);
            case "rebalance" -> rebalance(n, rate);
            default -> {
                System.err.println("unknown scenario " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void storm(int clients, int rate, Duration queueTimeout) throws Exception {
        Process broker = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"),
                BrokerProcess.class.getName(), "restarted", "1").redirectErrorStream(true).start();
        BufferedReader said = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        int port = Integer.parseInt(said.readLine().substring("ready ".length()));
        try (LoadBalancer lb = LoadBalancer.builder().eventLoops(2)
                .backend("brokers", b -> b.server("restarted", new InetSocketAddress("127.0.0.1", port),
                        s -> s.maxConnectRate(rate)).queueTimeout(queueTimeout))
                .frontend("mqtt", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                        .keyExtractor(Mqtt.connectInspector().withConnackReplies(true)).backend("brokers"))
                .build().start();
             FleetClients fleet = new FleetClients(lb.frontend("mqtt").boundAddresses().get(0))) {
            fleet.reconnect(false);
            PerSecond connects = PerSecond.sample(() -> lb.stats().backend("brokers").server("restarted").traffic()
                    .totalConnections());
            long start = System.nanoTime();
            fleet.connect("storm", clients, true, false);
            fleet.runUntil(() -> fleet.clients().stream().allMatch(c -> c.connacks > 0 || c.channel.socket().isClosed()),
                    WAIT_S);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            connects.stop();
            Map<Integer, Integer> codes = new TreeMap<>();
            for (FleetClients.Client c : fleet.clients()) {
                codes.merge(c.firstCode, 1, Integer::sum);
            }
            System.out.printf("storm: %,d clients at once, %d connects/s allowed, queue timeout %d s: CONNACK codes %s"
                    + " (0 accepted, 3 server unavailable, -1 none); at most %d connects in any second; all answered in %,d ms;"
                    + " %,d waited for the rate%n", clients, rate, queueTimeout.toSeconds(), codes, connects.max(), tookMs,
                    lb.stats().backend("brokers").server("restarted").connectsDelayed());
        } finally {
            broker.getOutputStream().close();
            broker.waitFor();
        }
    }

    private static void drain(int perVersion, int rate) throws Exception {
        List<Long> ends = new ArrayList<>();
        try (FakeBroker a = new FakeBroker("a").start(); FakeBroker b = new FakeBroker("b").start();
             LoadBalancer lb = LoadBalancer.builder().eventLoops(2)
                     .listener(e -> {
                         if (e.termination() == Termination.SERVER_REMOVED) {
                             synchronized (ends) {
                                 ends.add(e.acceptedAtEpochMillis() + e.totalNs() / 1_000_000);
                             }
                         }
                     })
                     .backend("brokers", be -> be.server("a", a.address())
                             .stickTable(Mqtt.clientIdStickTable(100_000, Duration.ofMinutes(10))))
                     .frontend("mqtt", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                             .keyExtractor(Mqtt.connectInspector()).backend("brokers"))
                     .build().start();
             FleetClients fleet = new FleetClients(lb.frontend("mqtt").boundAddresses().get(0))) {
            fleet.connect("drain", perVersion, true, true);
            fleet.runUntil(() -> fleet.clients().stream().allMatch(c -> c.connacks >= 1), WAIT_S);
            lb.backend("brokers").addServer("b", b.address(), o -> { });
            long start = System.nanoTime();
            CompletableFuture<Void> removed = lb.backend("brokers").removeServer("a", Pacing.of(rate, Duration.ofMinutes(5)));
            fleet.runUntil(() -> removed.isDone() && fleet.clients().stream().allMatch(c -> c.connacks >= 2), WAIT_S);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            Map<Integer, Integer> v5 = new TreeMap<>();
            int v3Told = 0;
            for (FleetClients.Client c : fleet.clients()) {
                if (c.v5) {
                    v5.merge(c.disconnectReason, 1, Integer::sum);
                } else if (c.disconnectReason >= 0) {
                    v3Told++;
                }
            }
            System.out.printf("drain: %,d 3.1.1 and %,d 5.0 clients with wills on a, removed at %d/s: done in %,d ms; %s;"
                    + " 5.0 DISCONNECT reasons %s (156 = 0x9C); 3.1.1 clients that got a DISCONNECT: %d; wills published: %d;"
                    + " on b now: %,d%n", perVersion, perVersion, rate, tookMs, spread(ends), v5, v3Told,
                    a.willsPublished() + b.willsPublished(), b.openConnections());
        }
    }

    private static void rebalance(int perVersion, int rate) throws Exception {
        List<Long> ends = new ArrayList<>();
        List<FakeBroker> brokers = new ArrayList<>();
        try {
            for (String name : List.of("a", "b", "c", "d")) {
                brokers.add(new FakeBroker(name).start());
            }
            try (LoadBalancer lb = LoadBalancer.builder().eventLoops(2)
                    .listener(e -> {
                        if (e.termination() == Termination.REBALANCED) {
                            synchronized (ends) {
                                ends.add(e.acceptedAtEpochMillis() + e.totalNs() / 1_000_000);
                            }
                        }
                    })
                    .backend("brokers", be -> be.server("a", brokers.get(0).address()).server("b", brokers.get(1).address())
                            .server("c", brokers.get(2).address())
                            .stickTable(Mqtt.clientIdStickTable(100_000, Duration.ofMinutes(10))))
                    .frontend("mqtt", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                            .keyExtractor(Mqtt.connectInspector()).backend("brokers"))
                    .build().start();
                 FleetClients fleet = new FleetClients(lb.frontend("mqtt").boundAddresses().get(0))) {
                fleet.connect("scale", perVersion, true, true);
                fleet.runUntil(() -> fleet.clients().stream().allMatch(c -> c.connacks >= 1), WAIT_S);
                String before = held(brokers);
                lb.backend("brokers").addServer("d", brokers.get(3).address(), o -> { });
                long start = System.nanoTime();
                CompletableFuture<RebalanceStats> done = lb.backend("brokers").rebalance(Rebalance.of(0.1, rate));
                int planned = lb.stats().backend("brokers").rebalance().planned();
                fleet.runUntil(() -> done.isDone() && brokers.get(3).openConnections() >= planned, WAIT_S);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                Map<Integer, Integer> v5 = new TreeMap<>();
                for (FleetClients.Client c : fleet.clients()) {
                    if (c.v5 && c.disconnectReason >= 0) {
                        v5.merge(c.disconnectReason, 1, Integer::sum);
                    }
                }
                System.out.printf("rebalance: %,d clients (%s), d added, rebalanced at %d/s: planned %d, moved %d, done in %,d ms;"
                        + " %s; 5.0 DISCONNECT reasons %s (156 = 0x9C); now %s%n", 2 * perVersion, before, rate, planned,
                        done.join().moved(), tookMs, spread(ends), v5, held(brokers));
            }
        } finally {
            for (FakeBroker b : brokers) {
                b.close();
            }
        }
    }

    private static String held(List<FakeBroker> brokers) {
        StringBuilder s = new StringBuilder();
        int total = 0;
        for (FakeBroker b : brokers) {
            s.append(s.length() == 0 ? "" : ", ").append(b.name()).append(' ').append(b.openConnections());
            total += b.openConnections();
        }
        return s.append(", total ").append(total).toString();
    }

    /** The tunnel ends' first-to-last span and the most within any second. */
    private static String spread(List<Long> ends) {
        long[] t;
        synchronized (ends) {
            t = ends.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        if (t.length == 0) {
            return "no tunnel ended";
        }
        int most = 0;
        for (int i = 0, j = 0; i < t.length; i++) {
            while (t[i] - t[j] >= 1000) {
                j++;
            }
            most = Math.max(most, i - j + 1);
        }
        return String.format("%,d tunnels ended over %,d ms, at most %d in any second", t.length, t[t.length - 1] - t[0], most);
    }

    /** The most a growing count rose within any second, sampled every 20 ms on a thread of its own. */
    private static final class PerSecond {
        private final List<long[]> samples = new ArrayList<>();
        private Thread thread;

        static PerSecond sample(LongSupplier count) {
            PerSecond p = new PerSecond();
            p.thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    synchronized (p.samples) {
                        p.samples.add(new long[] {System.nanoTime(), count.getAsLong()});
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "per-second-sampler");
            p.thread.setDaemon(true);
            p.thread.start();
            return p;
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }

        long max() {
            long most = 0;
            synchronized (samples) {
                for (int i = 0, j = 0; i < samples.size(); i++) {
                    while (samples.get(i)[0] - samples.get(j)[0] > 1_000_000_000L) {
                        j++;
                    }
                    most = Math.max(most, samples.get(i)[1] - samples.get(j)[1]);
                }
            }
            return most;
        }
    }
}
