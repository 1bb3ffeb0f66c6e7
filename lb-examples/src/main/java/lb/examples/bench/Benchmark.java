package lb.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.HdrHistogram.Histogram;

/**
 * The benchmark: on the same brokers and the same load, in one run, MQTT clients (a) talk to
 * the brokers directly, (b) go through this library's balancer in a JVM of its own, (c) go
 * through HAProxy configured the same way, when it is installed. Rounds alternate the order of
 * the targets so drift on a shared machine hits all alike; the table shows medians and ratios.
 * See {@link BenchmarkOptions#USAGE} for the flags and {@link Measurement} for the phases.
 *
 * <p>Every process it starts is stopped through its own handle, at the end, on failure, or
 * when the benchmark is interrupted.
 */
public final class Benchmark {
    /** Brokers and load generators: a bounded heap, so several fit on a small machine. */
    private static final List<String> HELPER_JVM = List.of("-Xmx1g");
    /** Descriptors a proxy needs besides its connections: listeners, selector, logs, its runtime. */
    private static final int SPARE_DESCRIPTORS = 200;

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Benchmark: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(BenchmarkOptions.USAGE);
            return;
        }
        if (!ProcessUsage.isAvailable()) {
            System.err.println("Benchmark: needs Linux: memory and CPU are read from /proc");
            System.exit(2);
        }
        long files = ProcessUsage.openFileLimit();
        int mostHeld = Math.max(options.connections, options.maxIdle());
        if (files > 0 && 2L * mostHeld + SPARE_DESCRIPTORS > files) {
            // A proxy holds two descriptors per connection, and inherits this limit.
            System.err.printf(Locale.ROOT, "Benchmark: %d connections at once need %d open files in the proxy; the limit is %d "
                    + "(raise it with ulimit -n, or lower --connections/--idle)%n", mostHeld, 2L * mostHeld + SPARE_DESCRIPTORS, files);
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::closeAll, "stop-children"));
        System.exit(run(options, System.out));
    }

    static int run(BenchmarkOptions options, PrintStream out) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + options.timeLimit.toNanos();
        Path logs = options.out.resolve("logs");
        Files.createDirectories(logs);
        JavaCommand helpers = JavaCommand.current(HELPER_JVM);
        JavaCommand balancerJava = options.balancerJava != null ? helpers.withRuntime(options.balancerJava) : helpers;
        balancerJava = balancerJava.withOptions(options.balancerJvmOptions != null ? options.balancerJvmOptions
                : defaultBalancerOptions(balancerJava));
        List<String> targetNames = new ArrayList<>(options.targets);
        Optional<Path> haproxy = HaproxyTarget.locate(options.haproxy);
        if (targetNames.contains("haproxy") && haproxy.isEmpty()) {
            out.println("haproxy not found: " + HaproxyTarget.INSTALL_HINT + ". Measuring the others only.");
            targetNames.remove("haproxy");
        }
        Optional<Path> launcher = GatewayTarget.locate(options.gateway);
        if (targetNames.contains("gateway") && launcher.isEmpty()) {
            out.println("no gateway launcher found" + (options.gateway != null ? " at " + options.gateway : "")
                    + ": build it with mvn -B -q -DskipTests package. Measuring the others only.");
            targetNames.remove("gateway");
        }
        Map<String, String> environment = environment(helpers, balancerJava, options, haproxy, launcher, targetNames);
        out.println("settings: " + options.describe());
        environment.forEach((k, v) -> out.println(k + ": " + v));

        List<RoundFigures> rounds = new ArrayList<>();
        try (Brokers brokers = Brokers.start(options.brokers, options.brokerLoops, helpers, logs)) {
            Map<String, Target> targets = new LinkedHashMap<>();
            for (String name : targetNames) {
                targets.put(name, switch (name) {
                    case "direct" -> new DirectTarget(brokers.addresses());
                    case "gateway" -> new GatewayTarget(launcher.orElseThrow(), balancerJava.java(), options.gatewayJvmOptions,
                            options.gatewayFlags, brokers.addresses(), logs);
                    case "balancer" -> new BalancerTarget(balancerJava, options.balancerLoops, brokers.addresses(), logs);
                    default -> new HaproxyTarget(haproxy.orElseThrow(), options.haproxyThreads, brokers.addresses(), logs);
                });
            }
            Measurement measurement = new Measurement(options, helpers, brokers, logs);
            // Brokers start cold too: one unrecorded pass straight at them compiles their hot code first.
            out.println("warm-up: one unrecorded pass directly against the brokers");
            measurement.measure(new DirectTarget(brokers.addresses()), 0);
            for (int round = 1; round <= options.rounds; round++) {
                for (int i = 0; i < targetNames.size(); i++) {
                    // Round r starts with target r-1: each target takes each place in the order in turn.
                    String name = targetNames.get((i + round - 1) % targetNames.size());
                    if (System.nanoTime() - deadline > 0) {
                        out.println("time limit reached: reporting the rounds measured so far");
                        return report(options, environment, targetNames, rounds, out);
                    }
                    RoundFigures figures = measurement.measure(targets.get(name), round);
                    rounds.add(figures);
                    out.println(progress(figures));
                }
            }
        }
        return report(options, environment, targetNames, rounds, out);
    }

    private static List<String> defaultBalancerOptions(JavaCommand runtime) {
        List<String> o = new ArrayList<>(BenchmarkOptions.splitOptions(BenchmarkOptions.DEFAULT_BALANCER_JVM));
        if (runtime.accepts(BenchmarkOptions.NATIVE_HEAP_TRIM)) {
            o.add(BenchmarkOptions.NATIVE_HEAP_TRIM);
        }
        return o;
    }

    private static int report(BenchmarkOptions options, Map<String, String> environment, List<String> targets,
            List<RoundFigures> rounds, PrintStream out) throws IOException {
        Summary summary = new Summary(targets, Metric.all(options), rounds);
        String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        out.println();
        out.print(TableReport.text(summary));
        List<String> problems = summary.problems();
        for (String p : problems) {
            out.println("problem: " + p);
        }
        Files.writeString(options.out.resolve("results.md"), markdown(date, environment, options, summary));
        Files.writeString(options.out.resolve("results.json"), JsonReport.render(date, environment, options.describe(), summary));
        Map<String, Map<String, Histogram>> panels = new LinkedHashMap<>();
        panels.put("CONNACK latency, warm", byTarget(summary, RoundFigures.CONNECT_WARM));
        panels.put("CONNACK latency, proxy just started", byTarget(summary, RoundFigures.CONNECT_COLD));
        panels.put(String.format(Locale.ROOT, "delivery latency at %,.0f msg/s", options.rate * options.subscribers),
                byTarget(summary, RoundFigures.DELIVERY));
        Files.writeString(options.out.resolve("latency.svg"), LatencyChart.render(panels, targets));
        writePercentileFiles(options.out, summary);
        out.println("results: " + options.out.resolve("results.md") + ", results.json, latency.svg, *.hgrm; logs in "
                + options.out.resolve("logs"));
        return problems.isEmpty() ? 0 : 1;
    }

    private static Map<String, Histogram> byTarget(Summary summary, String histogram) {
        Map<String, Histogram> m = new LinkedHashMap<>();
        for (String t : summary.targets()) {
            Histogram h = summary.histograms(t).get(histogram);
            if (h != null) {
                m.put(t, h);
            }
        }
        return m;
    }

    /** HdrHistogram's percentile distribution per target and latency, in milliseconds, merged over rounds. */
    private static void writePercentileFiles(Path dir, Summary summary) throws IOException {
        for (String t : summary.targets()) {
            for (Map.Entry<String, Histogram> e : summary.histograms(t).entrySet()) {
                Path file = dir.resolve(t + "-" + e.getKey() + ".hgrm");
                try (PrintStream ps = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
                    e.getValue().outputPercentileDistribution(ps, 1e6);
                }
            }
        }
    }

    private static String markdown(String date, Map<String, String> environment, BenchmarkOptions options, Summary summary) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("- date: ").append(date).append('\n');
        environment.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("- settings: ").append(options.describe()).append("\n\n");
        md.append(TableReport.markdown(summary));
        List<String> problems = summary.problems();
        if (!problems.isEmpty()) {
            md.append("\nProblems seen:\n\n");
            problems.forEach(p -> md.append("- ").append(p).append('\n'));
        }
        return md.toString();
    }

    private static Map<String, String> environment(JavaCommand helpers, JavaCommand balancerJava, BenchmarkOptions options,
            Optional<Path> haproxy, Optional<Path> launcher, List<String> targets) {
        Map<String, String> e = new LinkedHashMap<>(Machine.describe());
        e.put("brokers and load generators", helpers.version() + " " + String.join(" ", helpers.options())
                + "; fake brokers (" + options.brokerLoops + " loop each)");
        if (targets.contains("gateway")) {
            e.put("gateway", launcher.orElseThrow() + " on " + balancerJava.version() + (options.gatewayJvmOptions.isBlank()
                    ? ", the launcher's JVM defaults (no JAVA_OPTS)" : ", JAVA_OPTS=" + options.gatewayJvmOptions.trim())
                    + (options.gatewayFlags.isEmpty() ? ", the gateway's defaults" : ", flags " + String.join(" ", options.gatewayFlags)));
        }
        if (targets.contains("balancer")) {
            e.put("balancer runtime", balancerJava.version() + " " + String.join(" ", balancerJava.options()));
        }
        if (targets.contains("haproxy")) {
            e.put("haproxy", HaproxyTarget.version(haproxy.orElseThrow()) + ", nbthread " + options.haproxyThreads);
        }
        return e;
    }

    private static String progress(RoundFigures f) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "round %d %-8s", f.round(), f.target()));
        f.get(Metric.CONNECTS_WARM).ifPresent(v -> s.append(String.format(Locale.ROOT, "  %,.0f connects/s", v)));
        f.get(Metric.CONNECT_P99).ifPresent(v -> s.append(String.format(Locale.ROOT, ", CONNACK p99 %.2f ms", v)));
        f.get(Metric.DELIVERY_P99).ifPresent(v -> s.append(String.format(Locale.ROOT, ", delivery p99 %.2f ms", v)));
        f.get(Metric.MESSAGES_FLAT_OUT).ifPresent(v -> s.append(String.format(Locale.ROOT, ", flat out %,.0f msg/s", v)));
        f.get(Metric.RSS_PER_IDLE_MARGINAL).ifPresent(v -> s.append(String.format(Locale.ROOT, ", %,.0f B RSS/idle conn", v)));
        for (String p : f.problems()) {
            s.append("\n  problem: ").append(p);
        }
        return s.toString();
    }
}
