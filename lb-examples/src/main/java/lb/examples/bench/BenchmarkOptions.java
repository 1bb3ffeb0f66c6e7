package lb.examples.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's settings, from its command line. Defaults are sized so a run finishes in a
 * few minutes on a small machine; every count and duration is bounded. Immutable once parsed.
 */
final class BenchmarkOptions {
    static final List<String> ALL_TARGETS = List.of("direct", "gateway", "balancer", "haproxy");
    /** The gateway as shipped against the baseline and HAProxy; the library alone in a tuned JVM is asked for by name. */
    static final List<String> DEFAULT_TARGETS = List.of("direct", "gateway", "haproxy");
    /** The balancer's JVM: small fixed heap, small young generation, serial collector, no pre-touch (see the README). */
    static final String DEFAULT_BALANCER_JVM = "-Xms64m -Xmx64m -Xmn4m -XX:+UseSerialGC";
    /**
     * Added to the default when the runtime has it (17.0.9+, 21.0.1+): hands memory the JIT
     * compiler freed back to the system, which otherwise stays in the process's RSS.
     */
    static final String NATIVE_HEAP_TRIM = "-XX:TrimNativeHeapInterval=1000";
    static final String USAGE = """
            usage: Benchmark [OPTIONS]

            Measures, on the same load and in one run, MQTT clients talking (a) to the brokers
            directly, (b) through the gateway as shipped (its distribution's launcher, with the
            launcher's JVM defaults and the gateway's own), (c) through HAProxy with the
            equivalent configuration, if haproxy is installed; on request also (d) through the
            library alone in a JVM with the options below. Brokers, proxy and load
            generators are separate processes on loopback. Rounds alternate the order of the
            targets; the table shows medians and ratios. Results go to --out as results.md,
            results.json, HdrHistogram percentile files (*.hgrm) and latency.svg.

            Load:
              --brokers N             fake MQTT brokers, one process each (default 3)
              --connections N         clients per connect phase, split over --brokers load
                                      processes; each phase connects, then disconnects (default 8000)
              --inflight N            connects in flight at most, all load processes together (default 100)
              --warm-up-passes N      unrecorded connect phases between the cold and the warm one,
                                      so a JVM has compiled its hot paths (default 4)
              --idle N[,N...]         idle connections held for the memory figures (default 2000,4000,8000)
              --rate R                published messages/s in the fixed-rate pub/sub phase (default 20000)
              --publishers P          (default 100)
              --subscribers S         every subscriber gets every message (default 1)
              --size BYTES            message size (default 256)
              --duration D            fixed-rate pub/sub phase (default 10s)
              --flat-out D            flat-out pub/sub phase at QoS 1; 0 skips it (default 5s)
              --rounds N              rounds; each measures every target once (default 3)

            Targets:
              --targets LIST          any of direct,gateway,balancer,haproxy
                                      (default direct,gateway,haproxy)
              --gateway PATH          the gateway's launcher (default
                                      lb-examples/target/mqtt-gateway/bin/mqtt-gateway, or
                                      target/mqtt-gateway/bin/mqtt-gateway from inside lb-examples)
              --gateway-jvm "OPTIONS" JAVA_OPTS for the gateway's launcher (default none: as shipped)
              --gateway-flags "FLAGS" gateway flags added to its command line, e.g. "--event-loops 1"
                                      (default none: as shipped)
              --lb-java PATH          java executable or JDK directory for the gateway and the
                                      balancer (default: the runtime running this benchmark)
              --lb-loops N            the balancer's event loops (default 1)
              --lb-jvm "OPTIONS"      the balancer's JVM options (default "%s",
                                      plus %s where the runtime has it)
              --haproxy PATH          haproxy executable (default: found on PATH or in /usr/sbin)
              --haproxy-threads N     HAProxy's nbthread (default 1)
              --broker-loops N        each broker's loop threads (default 1)

            Output and limits:
              --out DIR               where results and process logs go (default target/bench-results)
              --time-limit D          stop starting new measurements after this (default 30m)
              --help                  this text

            Durations: 500ms, 10s, 2m; a bare number is seconds.
            """.formatted(DEFAULT_BALANCER_JVM, NATIVE_HEAP_TRIM);

    int brokers = 3;
    int connections = 8000;
    int inflight = 100;
    int warmUpPasses = 4;
    int[] idleSteps = {2000, 4000, 8000};
    double rate = 20_000;
    int publishers = 100;
    int subscribers = 1;
    int messageSize = 256;
    Duration pubsubDuration = Duration.ofSeconds(10);
    Duration flatOutDuration = Duration.ofSeconds(5);
    int rounds = 3;
    List<String> targets = DEFAULT_TARGETS;
    Path gateway;
    String gatewayJvmOptions = "";
    List<String> gatewayFlags = List.of();
    int balancerLoops = 1;
    String balancerJava;
    /** Null: the default, completed by {@link #NATIVE_HEAP_TRIM} if the runtime has it. */
    List<String> balancerJvmOptions;
    String haproxy;
    int haproxyThreads = 1;
    int brokerLoops = 1;
    Path out = Path.of("target", "bench-results");
    Duration timeLimit = Duration.ofMinutes(30);
    boolean help;

    /** Parses {@code args}; a wrong flag or value throws {@link IllegalArgumentException} naming it. */
    static BenchmarkOptions parse(String... args) {
        BenchmarkOptions o = new BenchmarkOptions();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                o.help = true;
                return o;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag.startsWith("--") ? flag + " needs a value" : "unexpected argument '" + flag + "'");
            }
            String value = args[++i];
            switch (flag) {
                case "--brokers" -> o.brokers = count(flag, value, 1, 16);
                case "--connections" -> o.connections = count(flag, value, 1, 200_000);
                case "--inflight" -> o.inflight = count(flag, value, 1, 10_000);
                case "--warm-up-passes" -> o.warmUpPasses = count(flag, value, 0, 100);
                case "--idle" -> o.idleSteps = steps(flag, value);
                case "--rate" -> o.rate = positive(flag, value);
                case "--publishers" -> o.publishers = count(flag, value, 1, 1000);
                case "--subscribers" -> o.subscribers = count(flag, value, 1, 1000);
                case "--size" -> o.messageSize = count(flag, value, 16, 1024 * 1024);
                case "--duration" -> o.pubsubDuration = duration(flag, value, Duration.ofSeconds(1));
                case "--flat-out" -> o.flatOutDuration = duration(flag, value, Duration.ZERO);
                case "--rounds" -> o.rounds = count(flag, value, 1, 50);
                case "--targets" -> o.targets = targets(flag, value);
                case "--lb-loops" -> o.balancerLoops = count(flag, value, 1, 64);
                case "--gateway" -> o.gateway = Path.of(value);
                case "--gateway-jvm" -> o.gatewayJvmOptions = value;
                case "--gateway-flags" -> o.gatewayFlags = splitOptions(value);
                case "--lb-java" -> o.balancerJava = value;
                case "--lb-jvm" -> o.balancerJvmOptions = splitOptions(value);
                case "--haproxy" -> o.haproxy = value;
                case "--haproxy-threads" -> o.haproxyThreads = count(flag, value, 1, 64);
                case "--broker-loops" -> o.brokerLoops = count(flag, value, 1, 16);
                case "--out" -> o.out = Path.of(value);
                case "--time-limit" -> o.timeLimit = duration(flag, value, Duration.ofSeconds(10));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return o;
    }

    /** Load processes per connect phase: one per broker (so direct load can be dealt over them), more past 10,000 clients each. */
    int connectWorkers() {
        int perBroker = (connections + brokers - 1) / brokers;
        return brokers * ((perBroker + 9_999) / 10_000);
    }

    int maxIdle() {
        return idleSteps[idleSteps.length - 1];
    }

    static List<String> splitOptions(String text) {
        String t = text.trim();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
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

    private static double positive(String flag, String value) {
        try {
            double d = Double.parseDouble(value.replace("_", ""));
            if (!(d > 0 && d <= 10_000_000)) {
                throw new IllegalArgumentException(flag + ": must be above 0 and at most 10,000,000");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": '" + value + "' is not a number");
        }
    }

    /** Idle connection counts, rising; the largest must fit a proxy's descriptors (two per connection). */
    private static int[] steps(String flag, String value) {
        String[] parts = value.split(",");
        int[] steps = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            steps[i] = count(flag, parts[i].trim(), 1, 200_000);
            if (i > 0 && steps[i] <= steps[i - 1]) {
                throw new IllegalArgumentException(flag + ": counts must rise, as in 2000,4000,8000");
            }
        }
        return steps;
    }

    private static List<String> targets(String flag, String value) {
        List<String> chosen = new ArrayList<>();
        for (String t : value.toLowerCase(Locale.ROOT).split(",")) {
            if (!ALL_TARGETS.contains(t.trim())) {
                throw new IllegalArgumentException(flag + ": '" + t + "' is not one of " + ALL_TARGETS);
            }
            chosen.add(t.trim());
        }
        // Keep the canonical order whatever order they were given in.
        return ALL_TARGETS.stream().filter(chosen::contains).toList();
    }

    static Duration duration(String flag, String value, Duration min) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(v.endsWith("s") ? v.substring(0, v.length() - 1) : v));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": '" + value + "' is not a duration (500ms, 10s, 2m)");
        }
        if (d.compareTo(min) < 0 || d.compareTo(Duration.ofHours(2)) > 0) {
            throw new IllegalArgumentException(flag + ": must be " + min.toMillis() + " ms to 2 h");
        }
        return d;
    }

    /** The settings as they are echoed in the reports. */
    String describe() {
        return String.format(Locale.ROOT,
                "%d brokers; connect phases of %d clients over %d load processes (%d in flight, warm after %d more passes); idle steps %s; "
                        + "pub/sub %d publishers -> %d subscriber(s), %d-byte messages, %.0f msg/s for %d s at QoS 0, "
                        + "flat out for %d s at QoS 1; %d rounds; balancer: %d event loop(s); HAProxy nbthread %d",
                brokers, connections, connectWorkers(), inflight, warmUpPasses, Arrays.toString(idleSteps), publishers, subscribers,
                messageSize, rate, pubsubDuration.toSeconds(), flatOutDuration.toSeconds(), rounds, balancerLoops, haproxyThreads);
    }
}
