package lb.examples.gateway;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.stats.http.StatsEndpoint;
import lb.examples.broker.FakeBroker;
import lb.examples.loadgen.LoadConfig;
import lb.examples.loadgen.LoadGenerator;
import lb.examples.loadgen.LoadResult;
import lb.examples.loadgen.Scenario;

/**
 * The gateway's default: three in-process brokers behind the balancer, a short built-in load
 * that shows what the balancer does (spread, stickiness, failover, recovery), a report, and
 * then the balancer keeps serving for any MQTT client until Ctrl-C or {@code --duration}.
 */
final class GatewayDemo {
    private static final String[] BROKERS = {"broker-a", "broker-b", "broker-c"};
    private static final String VICTIM = "broker-b";
    private static final Duration HEALTH_INTERVAL = Duration.ofMillis(500);

    private GatewayDemo() {
    }

    static int run(GatewayOptions o, PrintStream out, PrintStream err) throws Exception {
        Map<String, FakeBroker> brokers = new LinkedHashMap<>();
        try {
            for (String name : BROKERS) {
                brokers.put(name, new FakeBroker(name).start());
            }
            o.servers.clear();
            for (FakeBroker b : brokers.values()) {
                o.servers.add(new GatewayOptions.ServerSpec(b.name(), b.address(), 1, 0, List.of(), null));
            }
            o.healthInterval = HEALTH_INTERVAL;
            o.healthFall = 2;
            o.healthRise = 2;
            LoadBalancer lb;
            try {
                lb = GatewaySetup.builder(o).build().start();
            } catch (java.io.UncheckedIOException e) {
                err.println("mqtt-gateway: " + e.getMessage() + " (another program on the port? try --listen 127.0.0.1:0)");
                return 1;
            }
            StatsEndpoint stats = StatsServer.start(lb, o, err);
            try {
                InetSocketAddress at = lb.frontend("mqtt").boundAddresses().get(0);
                out.println("Demo: 3 in-process MQTT brokers behind the balancer on " + at.getHostString() + ":" + at.getPort()
                        + (stats != null ? ", statistics on http://" + stats.address().getHostString() + ":"
                        + stats.address().getPort() + "/" : ""));
                DemoReport report = load(lb, at, brokers, o.demoClients, out);
                print(report, out);
                serve(lb, at, o, out);
            } finally {
                if (stats != null) {
                    stats.close();
                }
                lb.shutdown(Duration.ofSeconds(2));
            }
            return 0;
        } finally {
            brokers.values().forEach(FakeBroker::close);
        }
    }

    /** The built-in load; returns what it showed. Visible for the gateway's tests. */
    static DemoReport load(LoadBalancer lb, InetSocketAddress at, Map<String, FakeBroker> brokers, int clients,
                           PrintStream out) throws Exception {
        out.println("1/4 " + clients + " clients connect, then all reconnect at once (a storm)...");
        LoadResult storm = LoadGenerator.run(LoadConfig.builder(Scenario.STORM, at).clients(clients)
                .clientIdPrefix("demo-").timeLimit(Duration.ofSeconds(60)).build());
        Map<String, Integer> perBroker = new LinkedHashMap<>();
        Map<String, String> brokerOf = new LinkedHashMap<>();
        int onSeveral = 0;
        for (FakeBroker b : brokers.values()) {
            int n = 0;
            for (String id : Set.copyOf(b.servedClientIds())) {
                if (id.startsWith("demo-")) {
                    n++;
                    if (brokerOf.put(id, b.name()) != null) {
                        onSeveral++;
                    }
                }
            }
            perBroker.put(b.name(), n);
        }
        int sticky = brokerOf.size() - onSeveral;

        out.println("2/4 10 publishers, 10 subscribers, QoS 1, 3 seconds...");
        LoadResult pubsub = LoadGenerator.run(LoadConfig.builder(Scenario.PUBSUB, at).publishers(10).subscribers(10)
                .qos(1).rate(2_000).duration(Duration.ofSeconds(3)).clientIdPrefix("demo-ps-")
                .timeLimit(Duration.ofSeconds(60)).build());

        out.println("3/4 " + VICTIM + " dies; its clients reconnect...");
        Server victim = lb.backend("brokers").server(VICTIM);
        long killedAt = System.nanoTime();
        brokers.get(VICTIM).die();
        long failoverMillis = awaitHealth(victim, false, killedAt);
        Set<String> before = new HashSet<>();
        brokerOf.forEach((id, b) -> {
            if (b.equals(VICTIM)) {
                before.add(id);
            }
        });
        LoadGenerator.run(LoadConfig.builder(Scenario.CONNECT, at).clients(clients).clientIdPrefix("demo-")
                .timeLimit(Duration.ofSeconds(60)).build());
        int moved = 0;
        for (FakeBroker b : brokers.values()) {
            if (!b.name().equals(VICTIM)) {
                for (String id : before) {
                    if (b.servedClientIds().contains(id)) {
                        moved++;
                    }
                }
            }
        }

        out.println("4/4 " + VICTIM + " comes back...");
        long restartedAt = System.nanoTime();
        brokers.get(VICTIM).start();
        long recoveryMillis = awaitHealth(victim, true, restartedAt);

        var connect = storm.connectLatency();
        return new DemoReport(clients, storm.connected() - storm.reconnects(), perBroker, sticky,
                connect.getValueAtPercentile(50) / 1000, connect.getValueAtPercentile(99) / 1000,
                pubsub.published(), pubsub.acked(), failoverMillis, moved, recoveryMillis);
    }

    private static long awaitHealth(Server server, boolean up, long sinceNs) throws InterruptedException {
        long deadline = sinceNs + Duration.ofSeconds(30).toNanos();
        while (server.isUp() != up && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return (System.nanoTime() - sinceNs) / 1_000_000;
    }

    private static void print(DemoReport r, PrintStream out) {
        out.println();
        out.println("What happened");
        out.printf("  clients served          %d of %d%n", r.connected(), r.clients());
        out.printf("  spread over brokers     %s (least connections)%n", r.clientsPerBroker());
        out.printf("  stickiness              %d of %d client ids reconnected to the same broker%n",
                r.stickyClients(), r.clients());
        out.printf("  connect latency         p50 %d us, p99 %d us (TCP connect to CONNACK, %d clients at once;%n"
                + "                          brokers, balancer and clients share one just-started JVM)%n",
                r.connectP50Micros(), r.connectP99Micros(), r.clients());
        out.printf("  QoS 1 publishes         %d sent, %d acknowledged by their broker through the balancer%n",
                r.published(), r.acknowledged());
        out.printf("  failover                %s marked down %d ms after it died; %d of its clients moved%n",
                VICTIM, r.failoverMillis(), r.movedClients());
        out.printf("  recovery                %s back in rotation %d ms after it restarted%n", VICTIM, r.recoveryMillis());
        out.println();
    }

    private static void serve(LoadBalancer lb, InetSocketAddress at, GatewayOptions o, PrintStream out)
            throws InterruptedException {
        if (o.duration != null && o.duration.isZero()) {
            return;
        }
        out.println("Still serving: point any MQTT client at " + at.getHostString() + ":" + at.getPort()
                + ", e.g. mosquitto_sub -h " + at.getHostString() + " -p " + at.getPort() + " -t demo/# -v");
        out.println(o.duration == null ? "Ctrl-C to stop." : "Stopping in " + o.duration.toSeconds() + " s.");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        if (o.duration == null) {
            stopped.await();
        } else {
            stopped.await(o.duration.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
