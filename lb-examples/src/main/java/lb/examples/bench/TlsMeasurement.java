package lb.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;


/**
 * Measures one TLS-terminating proxy for one round of {@link TlsBenchmark}, on a freshly started
 * process, every client over TLS 1.3 with the run's certificate:
 *
 * <ol>
 *   <li>warm-up, not recorded: handshake phases as below, so the JIT has compiled the hot paths;
 *   <li>new sessions: N clients connect flat out (within the in-flight bound), each a full
 *       handshake, CONNECT and CONNACK, then disconnect: handshakes per second, the proxy's CPU
 *       per handshake, handshake and CONNACK latency;
 *   <li>resumed sessions: the same with resumption offered, each client holding the session of
 *       its own unrecorded rehearsal of the phase (see {@link LoadWorker}) against the same
 *       proxy; how many resumed is counted, not assumed;
 *   <li>storm: S clients connect, then all disconnect and reconnect at the same moment with new
 *       sessions: the time from the storm to the last CONNACK, and the clients that got none;
 *   <li>pub/sub over TLS at a fixed rate, QoS 0: delivery latency, the proxy's CPU per message;
 *   <li>pub/sub over TLS flat out, QoS 1: throughput.
 * </ol>
 *
 * Load comes from {@link LoadWorker} processes, each warmed up against the proxy itself before it
 * reports ready; CPU times are read from {@code /proc} from the start signal to the result. Each
 * pass connects from a loopback source address of its own (see {@link LoadWorker} for why). Used
 * by the benchmark's main thread.
 */
final class TlsMeasurement {
    static final String HANDSHAKES_NEW = "tls_handshakes_per_s_new";
    static final String HANDSHAKE_P50_NEW = "tls_handshake_p50_ms_new";
    static final String HANDSHAKE_P99_NEW = "tls_handshake_p99_ms_new";
    static final String CONNACK_P99_NEW = "connack_p99_ms_new";
    static final String CPU_PER_1000_NEW = "cpu_ms_per_1000_handshakes_new";
    static final String PROXY_CPU_NEW = "proxy_cpu_pct_handshakes_new";
    static final String HANDSHAKES_RESUMED = "tls_handshakes_per_s_resumed";
    static final String RESUMED_SHARE = "tls_resumed_pct";
    static final String HANDSHAKE_P99_RESUMED = "tls_handshake_p99_ms_resumed";
    static final String CPU_PER_1000_RESUMED = "cpu_ms_per_1000_handshakes_resumed";
    static final String STORM_MS = "storm_last_connack_ms";
    static final String STORM_FAILED = "storm_clients_failed";
    static final String MESSAGES_FIXED = "messages_per_s_fixed_rate";
    static final String DELIVERY_P50 = "delivery_p50_ms";
    static final String DELIVERY_P99 = "delivery_p99_ms";
    static final String CPU_PER_100K_MESSAGES = "cpu_ms_per_100k_messages";
    static final String MESSAGES_FLAT_OUT = "messages_per_s_flat_out";
    static final String PROXY_CPU_FLAT_OUT = "proxy_cpu_pct_flat_out";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** A pass of a worker stops there whatever is pending: far beyond what a phase takes even on a busy machine. */
    private static final Duration PASS_TIME_LIMIT = Duration.ofMinutes(10);
    /** Passes one worker runs at most: the unrecorded handshake phases. */
    static final int MAX_PASSES = 3;
    /** A worker's result: its own warm-up and all its passes. */
    private static final Duration PHASE_TIMEOUT = PASS_TIME_LIMIT.multipliedBy(MAX_PASSES + 1);
    private static final Duration STORM_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** The name the throwaway certificate carries, sent as SNI and checked by the clients. */
    private static final String SERVER_NAME = "localhost";

    private final TlsBenchmark.Options options;
    private final JavaCommand java;
    private final Brokers brokers;
    private final ThrowawayCertificate certificate;
    private final Path logs;
    private int workersStarted;
    private int sourcesUsed;

    TlsMeasurement(TlsBenchmark.Options options, JavaCommand java, Brokers brokers, ThrowawayCertificate certificate, Path logs) {
        this.options = options;
        this.java = java;
        this.brokers = brokers;
        this.certificate = certificate;
        this.logs = logs;
    }

    /** CPU and wall time around one phase, and what the load generators saw. */
    private record Phase(LoadOutcome load, long wallNs, long proxyCpuNs) {
        double share(long cpuNs) {
            return wallNs > 0 ? 100.0 * cpuNs / wallNs : Double.NaN;
        }

        double cpuMsPer(long count, double per) {
            return count > 0 ? proxyCpuNs / 1e6 / count * per : Double.NaN;
        }
    }

    /** The table's rows, in order. */
    static List<Metric> metrics(TlsBenchmark.Options o) {
        List<Metric> m = new ArrayList<>();
        m.add(Metric.of(HANDSHAKES_NEW, "TLS handshakes + CONNACK per s, new sessions", "/s", true));
        m.add(Metric.of(HANDSHAKE_P50_NEW, "handshake latency p50, new sessions (TCP up to TLS done)", "ms", false));
        m.add(Metric.of(HANDSHAKE_P99_NEW, "handshake latency p99, new sessions", "ms", false));
        m.add(Metric.of(CONNACK_P99_NEW, "CONNACK latency p99, new sessions (TCP connect to CONNACK)", "ms", false));
        m.add(Metric.of(CPU_PER_1000_NEW, "proxy CPU per 1,000 new-session connections (handshake, CONNECT, close)", "ms", false));
        m.add(Metric.of(PROXY_CPU_NEW, "proxy CPU, new-session phase", "% core", false));
        m.add(Metric.of(HANDSHAKES_RESUMED, "TLS handshakes + CONNACK per s, resumption offered", "/s", true));
        m.add(Metric.of(RESUMED_SHARE, "handshakes that resumed, when offered", "%", true));
        m.add(Metric.of(HANDSHAKE_P99_RESUMED, "handshake latency p99, resumption offered", "ms", false));
        m.add(Metric.of(CPU_PER_1000_RESUMED, "proxy CPU per 1,000 connections, resumption offered", "ms", false));
        m.add(Metric.of(STORM_MS, String.format(Locale.ROOT, "storm of %,d TLS clients: until the last CONNACK", o.storm), "ms", false));
        m.add(Metric.of(STORM_FAILED, "storm: clients failed", "clients", false));
        m.add(Metric.of(MESSAGES_FIXED, String.format(Locale.ROOT, "messages/s delivered at %,.0f msg/s over TLS", o.rate * o.subscribers),
                "/s", true));
        m.add(Metric.of(DELIVERY_P50, "delivery latency p50 at that rate", "ms", false));
        m.add(Metric.of(DELIVERY_P99, "delivery latency p99 at that rate", "ms", false));
        m.add(Metric.of(CPU_PER_100K_MESSAGES, "proxy CPU per 100k messages delivered at that rate", "ms", false));
        if (!o.flatOutDuration.isZero()) {
            m.add(Metric.of(MESSAGES_FLAT_OUT, "messages/s delivered flat out over TLS (QoS 1)", "/s", true));
            m.add(Metric.of(PROXY_CPU_FLAT_OUT, "proxy CPU, flat-out pub/sub", "% core", false));
        }
        return m;
    }

    RoundFigures measure(Target target, int round) throws IOException, InterruptedException {
        RoundFigures f = new RoundFigures(target.name(), round);
        String ids = "r" + round + "-" + target.name() + "-";
        target.start();
        try {
            if (options.warmUpPasses > 0) {
                handshakes(target, ids + "warm-", options.warmUpPasses, false);
            }
            Phase fresh = handshakes(target, ids + "new-", 1, false);
            Measurement.check(f, "new-session handshakes", fresh.load);
            if (fresh.load.tlsResumed() > 0) {
                f.problem("new-session handshakes: " + fresh.load.tlsResumed() + " resumed a session");
            }
            f.put(HANDSHAKES_NEW, fresh.load.connectsPerSecond());
            f.put(HANDSHAKE_P50_NEW, Measurement.percentileMs(fresh.load.handshakeLatency(), 50));
            f.put(HANDSHAKE_P99_NEW, Measurement.percentileMs(fresh.load.handshakeLatency(), 99));
            f.put(CONNACK_P99_NEW, Measurement.percentileMs(fresh.load.connectLatency(), 99));
            f.put(CPU_PER_1000_NEW, fresh.cpuMsPer(fresh.load.connected(), 1000));
            f.put(PROXY_CPU_NEW, fresh.share(fresh.proxyCpuNs));

            Phase resumed = handshakes(target, ids + "resumed-", 1, true);
            Measurement.check(f, "resumed handshakes", resumed.load);
            f.put(HANDSHAKES_RESUMED, resumed.load.connectsPerSecond());
            if (resumed.load.tlsHandshakes() > 0) {
                f.put(RESUMED_SHARE, 100.0 * resumed.load.tlsResumed() / resumed.load.tlsHandshakes());
            }
            f.put(HANDSHAKE_P99_RESUMED, Measurement.percentileMs(resumed.load.handshakeLatency(), 99));
            f.put(CPU_PER_1000_RESUMED, resumed.cpuMsPer(resumed.load.connected(), 1000));

            Phase storm = storm(target, ids + "storm-");
            Measurement.check(f, "storm", storm.load);
            if (storm.load.stormRecoveryNs() > 0) {
                f.put(STORM_MS, storm.load.stormRecoveryNs() / 1e6); // none when no client came back
            }
            f.put(STORM_FAILED, storm.load.failed());

            Phase fixed = pubsub(target, ids, options.rate, 0, options.pubsubDuration);
            Measurement.check(f, "fixed-rate pub/sub", fixed.load);
            f.put(MESSAGES_FIXED, fixed.load.deliveriesPerSecond());
            f.put(DELIVERY_P50, Measurement.percentileMs(fixed.load.deliveryLatency(), 50));
            f.put(DELIVERY_P99, Measurement.percentileMs(fixed.load.deliveryLatency(), 99));
            f.put(CPU_PER_100K_MESSAGES, fixed.cpuMsPer(fixed.load.delivered(), 100_000));
            if (!options.flatOutDuration.isZero()) {
                Phase flat = pubsub(target, ids, 0, 1, options.flatOutDuration);
                Measurement.check(f, "flat-out pub/sub", flat.load);
                f.put(MESSAGES_FLAT_OUT, flat.load.deliveriesPerSecond());
                f.put(PROXY_CPU_FLAT_OUT, flat.share(flat.proxyCpuNs));
            }
        } finally {
            target.close();
        }
        return f;
    }

    /**
     * {@code passes} handshake phases from one worker, each from a source address of its own; the
     * figures are the last pass's. With {@code resume}, the worker first rehearses the phase, so
     * every client has a session to offer.
     */
    private Phase handshakes(Target target, String ids, int passes, boolean resume) throws IOException, InterruptedException {
        List<String> sources = new ArrayList<>();
        for (int p = 0; p < passes + (resume ? 1 : 0); p++) {
            sources.add(nextSourceAddress());
        }
        InetSocketAddress to = target.connectAddress(0);
        List<String> args = new ArrayList<>(List.of(resume ? "rehearse" : TlsBenchmark.hostPort(to), String.join(",", sources), "connect",
                "--target", TlsBenchmark.hostPort(to), "--clients", Integer.toString(options.handshakes),
                "--inflight", Integer.toString(options.inflight), "--client-id-prefix", ids, "--quiet"));
        args.addAll(tls(resume));
        return run(target, args);
    }

    private Phase storm(Target target, String ids) throws IOException, InterruptedException {
        InetSocketAddress to = target.connectAddress(0);
        List<String> args = new ArrayList<>(List.of(TlsBenchmark.hostPort(to), nextSourceAddress(), "storm",
                "--target", TlsBenchmark.hostPort(to), "--clients", Integer.toString(options.storm),
                "--inflight", Integer.toString(options.inflight), "--client-id-prefix", ids, "--quiet",
                // Time to the last CONNACK is the figure: a client gives up only well past any proxy's own limits.
                "--connect-timeout", STORM_CONNECT_TIMEOUT.toSeconds() + "s"));
        args.addAll(tls(false));
        return run(target, args);
    }

    private Phase pubsub(Target target, String ids, double rate, int qos, Duration duration) throws IOException, InterruptedException {
        InetSocketAddress to = target.pubsubAddress();
        List<String> args = new ArrayList<>(List.of(TlsBenchmark.hostPort(to), nextSourceAddress(), "pubsub",
                "--target", TlsBenchmark.hostPort(to), "--publishers", Integer.toString(options.publishers),
                "--subscribers", Integer.toString(options.subscribers), "--size", Integer.toString(options.messageSize),
                "--rate", String.format(Locale.ROOT, "%.3f", rate), "--qos", Integer.toString(qos),
                "--duration", duration.toMillis() + "ms", "--client-id-prefix", ids + (qos == 0 ? "fixed-" : "flat-"), "--quiet"));
        args.addAll(tls(false));
        return run(target, args);
    }

    /** The load generator's TLS flags (TLS 1.3, its default; the run's certificate trusted, its name checked) and the time limit. */
    private List<String> tls(boolean resume) {
        List<String> flags = new ArrayList<>(List.of("--tls", "--tls-ca", certificate.certificate().toAbsolutePath().toString(),
                "--tls-sni", SERVER_NAME, "--time-limit", PASS_TIME_LIMIT.toSeconds() + "s"));
        if (resume) {
            flags.add("--tls-resume");
        }
        return flags;
    }

    /** One worker: waits until it is warmed up and ready, starts it, collects its result with the proxy's CPU around it. */
    private Phase run(Target target, List<String> args) throws IOException, InterruptedException {
        String name = "load-" + (++workersStarted);
        try (ChildProcess worker = ChildProcess.start(name, java.command(LoadWorker.class, args), logs.resolve(name + ".log"), true)) {
            worker.await("ready", READY_TIMEOUT);
            long proxyCpu0 = Measurement.proxyCpuNs(target);
            long t0 = System.nanoTime();
            worker.send("go");
            LoadOutcome outcome = LoadOutcome.decode(worker.await("result", PHASE_TIMEOUT));
            long wall = System.nanoTime() - t0;
            return new Phase(outcome, wall, Measurement.proxyCpuNs(target) - proxyCpu0);
        }
    }

    /**
     * A loopback address no earlier pass of this run has used: 127.2.0.1, 127.2.0.2, ... 250 per
     * third octet; apart from the main benchmark's 127.1.x.y, so runs of both in a row do not meet
     * each other's TIME_WAIT.
     */
    private String nextSourceAddress() {
        int n = sourcesUsed++;
        return "127.2." + (n / 250 % 256) + "." + (n % 250 + 1);
    }
}
