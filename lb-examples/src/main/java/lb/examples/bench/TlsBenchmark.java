package lb.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import lb.examples.loadgen.LoadConfig;

/**
 * MQTT over TLS through the gateway as shipped and through HAProxy terminating the same
 * certificate (a throwaway ECDSA P-256 one, TLS 1.3), in one run: handshakes per second with new
 * and with resumed sessions and the proxy's CPU per handshake, a reconnect storm, and pub/sub
 * over TLS. Rounds alternate the order of the two; the table shows medians and gateway / HAProxy.
 * {@link TlsMeasurement} describes the phases; {@link #USAGE} the flags.
 *
 * <p>Every process it starts is stopped through its own handle, at the end, on failure, or when
 * the run is interrupted.
 */
public final class TlsBenchmark {
    static final String USAGE = """
            usage: TlsBenchmark [OPTIONS]

            MQTT over TLS 1.3 (a throwaway ECDSA P-256 certificate) through the gateway as shipped
            (its distribution's launcher) and through HAProxy terminating the same certificate, with
            fake brokers behind both, in one run: handshakes (TLS + CONNECT/CONNACK) per second for
            new and for resumed sessions, proxy CPU per handshake, a reconnect storm, pub/sub over
            TLS. Rounds alternate the order of the targets; medians and gateway / HAProxy ratios
            go to --out as results.md and results.json.

              --handshakes N      clients per handshake phase, connect then disconnect (default 4000)
              --inflight N        handshakes in flight at most (default 100)
              --warm-up-passes N  unrecorded handshake phases on each fresh proxy first, 0-3 (default 2)
              --storm N           clients that reconnect at once, all with new sessions (default 5000)
              --rate R            published messages/s in the fixed-rate pub/sub phase (default 20000)
              --publishers P      (default 100)
              --subscribers S     (default 1)
              --size BYTES        message size (default 256)
              --duration D        fixed-rate pub/sub phase (default 10s)
              --flat-out D        flat-out pub/sub phase at QoS 1; 0 skips it (default 5s)
              --rounds N          rounds; each measures both targets once (default 3)
              --brokers N         fake brokers, one process each (default 3)
              --gateway LAUNCHER  the gateway's launcher (default lb-examples/target/mqtt-gateway/bin/mqtt-gateway,
                                  or target/mqtt-gateway/bin/mqtt-gateway from inside lb-examples)
              --haproxy PATH      haproxy executable (default: found on PATH or in /usr/sbin)
              --out DIR           results, certificate and logs (default target/tls-bench)
              --time-limit D      stop starting new measurements after this (default 60m)
              --help              this text

            Durations: 500ms, 10s, 2m; a bare number is seconds.
            Build the distribution first: mvn -B -q -DskipTests package
            """;
    /** Brokers and load generators: a bounded heap, as in the main benchmark. */
    private static final List<String> HELPER_JVM = List.of("-Xmx1g");
    private static final int SPARE_DESCRIPTORS = 200;

    private TlsBenchmark() {
    }

    /** The run's settings, bounded; parsed from the command line. */
    static final class Options {
        int handshakes = 4_000;
        int inflight = 100;
        int warmUpPasses = 2;
        int storm = 5_000;
        double rate = 20_000;
        int publishers = 100;
        int subscribers = 1;
        int messageSize = 256;
        Duration pubsubDuration = Duration.ofSeconds(10);
        Duration flatOutDuration = Duration.ofSeconds(5);
        int rounds = 3;
        int brokers = 3;
        Path gateway;
        String haproxy;
        Path out = Path.of("target", "tls-bench");
        Duration timeLimit = Duration.ofMinutes(60);
        boolean help;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    o.help = true;
                    return o;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--handshakes" -> o.handshakes = count(flag, value, 1, LoadConfig.MAX_CLIENTS);
                    case "--inflight" -> o.inflight = count(flag, value, 1, 10_000);
                    case "--warm-up-passes" -> o.warmUpPasses = count(flag, value, 0, TlsMeasurement.MAX_PASSES);
                    case "--storm" -> o.storm = count(flag, value, 1, LoadConfig.MAX_CLIENTS);
                    case "--rate" -> o.rate = count(flag, value, 1, 1_000_000);
                    case "--publishers" -> o.publishers = count(flag, value, 1, 1000);
                    case "--subscribers" -> o.subscribers = count(flag, value, 1, 1000);
                    case "--size" -> o.messageSize = count(flag, value, 16, 1024 * 1024);
                    case "--duration" -> o.pubsubDuration = BenchmarkOptions.duration(flag, value, Duration.ofSeconds(1));
                    case "--flat-out" -> o.flatOutDuration = BenchmarkOptions.duration(flag, value, Duration.ZERO);
                    case "--rounds" -> o.rounds = count(flag, value, 1, 50);
                    case "--brokers" -> o.brokers = count(flag, value, 1, 16);
                    case "--gateway" -> o.gateway = Path.of(value);
                    case "--haproxy" -> o.haproxy = value;
                    case "--out" -> o.out = Path.of(value);
                    case "--time-limit" -> o.timeLimit = BenchmarkOptions.duration(flag, value, Duration.ofSeconds(10));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            return o;
        }

        private static int count(String flag, String value, int min, int max) {
            try {
                int n = Integer.parseInt(value.replace("_", "").replace(",", ""));
                if (n < min || n > max) {
                    throw new IllegalArgumentException(flag + ": must be " + min + "-" + max + ", was " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": '" + value + "' is not a whole number");
            }
        }

        /** The settings as the reports echo them. */
        String describe() {
            return String.format(Locale.ROOT,
                    "%d brokers; handshake phases of %d clients, %d in flight, after %d unrecorded phases on each fresh proxy; "
                            + "storm of %d clients; pub/sub %d publishers -> %d subscriber(s), %d-byte messages, %.0f msg/s for %d s "
                            + "at QoS 0, flat out for %d s at QoS 1; %d rounds",
                    brokers, handshakes, inflight, warmUpPasses, storm, publishers, subscribers, messageSize, rate,
                    pubsubDuration.toSeconds(), flatOutDuration.toSeconds(), rounds);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TlsBenchmark: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(USAGE);
            return;
        }
        if (!ProcessUsage.isAvailable()) {
            System.err.println("TlsBenchmark: needs Linux: CPU is read from /proc");
            System.exit(2);
        }
        long files = ProcessUsage.openFileLimit();
        int mostHeld = Math.max(options.storm, options.handshakes);
        if (files > 0 && 2L * mostHeld + SPARE_DESCRIPTORS > files) {
            System.err.printf(Locale.ROOT, "TlsBenchmark: %d connections at once need %d open files in the proxy; the limit is %d "
                    + "(raise it with ulimit -n, or lower --storm/--handshakes)%n", mostHeld, 2L * mostHeld + SPARE_DESCRIPTORS, files);
            System.exit(2);
        }
        Optional<Path> launcher = GatewayTarget.locate(options.gateway);
        if (launcher.isEmpty()) {
            System.err.println("TlsBenchmark: no gateway launcher found" + (options.gateway != null ? " at " + options.gateway : "")
                    + "; build it with mvn -B -q -DskipTests package");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::closeAll, "stop-children"));
        System.exit(run(options, launcher.get(), System.out));
    }

    static int run(Options options, Path launcher, PrintStream out) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + options.timeLimit.toNanos();
        Path logs = options.out.resolve("logs");
        Files.createDirectories(logs);
        JavaCommand java = JavaCommand.current(HELPER_JVM);
        Optional<Path> haproxy = HaproxyTarget.locate(options.haproxy);
        Optional<Path> openssl = TlsIdleCost.locate("openssl");
        List<String> targetNames = new ArrayList<>(List.of("gateway"));
        if (haproxy.isEmpty()) {
            out.println("haproxy not found: " + HaproxyTarget.INSTALL_HINT + ". Measuring the gateway only.");
        } else if (openssl.isEmpty()) {
            out.println("openssl not found (it makes HAProxy's PEM file): install it (Debian/Ubuntu: sudo apt-get install openssl). "
                    + "Measuring the gateway only.");
        } else {
            targetNames.add("haproxy");
        }
        ThrowawayCertificate certificate = ThrowawayCertificate.generate(options.out.resolve("certificate"),
                targetNames.contains("haproxy") ? openssl : Optional.empty());

        Map<String, String> environment = new LinkedHashMap<>(Machine.describe());
        environment.put("gateway", launcher + " as shipped (the launcher's JVM defaults, no JAVA_OPTS) on " + java.version()
                + "; both frontends with tls-cert (PKCS#12); everything else the gateway's defaults");
        if (targetNames.contains("haproxy")) {
            environment.put("haproxy", HaproxyTarget.version(haproxy.get()) + ", nbthread 1, bind ... ssl crt (PEM), "
                    + "HAProxy's default TLS settings");
        }
        environment.put("certificate", "self-signed ECDSA P-256 (secp256r1), SHA256withECDSA, for localhost and 127.0.0.1");
        environment.put("clients", "load generator processes (" + java.version() + " -Xmx1g), TLS 1.3 over TlsLayer on their "
                + "loops, SNI localhost, the certificate checked against it; new sessions: no session cache; resumed: "
                + "a session cache per client id, filled by an unrecorded rehearsal of the phase");
        environment.forEach((k, v) -> out.println(k + ": " + v));
        out.println("settings: " + options.describe());

        List<RoundFigures> rounds = new ArrayList<>();
        try (Brokers brokers = Brokers.start(options.brokers, 1, java, logs)) {
            Map<String, Target> targets = new LinkedHashMap<>();
            targets.put("gateway", new GatewayTarget(launcher, java.java(), "", List.of(), brokers.addresses(), logs, certificate));
            if (targetNames.contains("haproxy")) {
                targets.put("haproxy", new HaproxyTarget(haproxy.get(), 1, brokers.addresses(), logs,
                        certificate.combinedPem().orElseThrow()));
            }
            TlsMeasurement measurement = new TlsMeasurement(options, java, brokers, certificate, logs);
            rounds:
            for (int round = 1; round <= options.rounds; round++) {
                for (int i = 0; i < targetNames.size(); i++) {
                    // Round r starts with target r-1: each target takes each place in the order in turn.
                    String name = targetNames.get((i + round - 1) % targetNames.size());
                    if (System.nanoTime() - deadline > 0) {
                        out.println("time limit reached: reporting the rounds measured so far");
                        break rounds;
                    }
                    RoundFigures figures = measurement.measure(targets.get(name), round);
                    rounds.add(figures);
                    out.println(progress(figures));
                }
            }
        }
        return report(options, environment, targetNames, rounds, out);
    }

    private static int report(Options options, Map<String, String> environment, List<String> targets, List<RoundFigures> rounds,
            PrintStream out) throws IOException {
        Summary summary = new Summary(targets, TlsMeasurement.metrics(options), rounds);
        String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        out.println();
        out.print(TableReport.text(summary));
        List<String> problems = summary.problems();
        problems.forEach(p -> out.println("problem: " + p));
        StringBuilder md = new StringBuilder("# MQTT over TLS: gateway and HAProxy\n\n");
        md.append("- date: ").append(date).append('\n');
        environment.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("- settings: ").append(options.describe()).append("\n\n");
        md.append(TableReport.markdown(summary));
        if (!problems.isEmpty()) {
            md.append("\nProblems seen:\n\n");
            problems.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        Files.writeString(options.out.resolve("results.md"), md.toString());
        Files.writeString(options.out.resolve("results.json"), JsonReport.render(date, environment, options.describe(), summary));
        out.println("results: " + options.out.resolve("results.md") + ", results.json; logs in " + options.out.resolve("logs"));
        return problems.isEmpty() ? 0 : 1;
    }

    private static String progress(RoundFigures f) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "round %d %-8s", f.round(), f.target()));
        f.get(TlsMeasurement.HANDSHAKES_NEW).ifPresent(v -> s.append(String.format(Locale.ROOT, "  %,.0f handshakes/s new", v)));
        f.get(TlsMeasurement.HANDSHAKES_RESUMED).ifPresent(v -> s.append(String.format(Locale.ROOT, ", %,.0f/s resumed", v)));
        f.get(TlsMeasurement.RESUMED_SHARE).ifPresent(v -> s.append(String.format(Locale.ROOT, " (%.0f%% resumed)", v)));
        f.get(TlsMeasurement.STORM_MS).ifPresent(v -> s.append(String.format(Locale.ROOT, ", storm %,.0f ms", v)));
        f.get(TlsMeasurement.DELIVERY_P99).ifPresent(v -> s.append(String.format(Locale.ROOT, ", delivery p99 %.2f ms", v)));
        f.get(TlsMeasurement.MESSAGES_FLAT_OUT).ifPresent(v -> s.append(String.format(Locale.ROOT, ", flat out %,.0f msg/s", v)));
        for (String p : f.problems()) {
            s.append("\n  problem: ").append(p);
        }
        return s.toString();
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
