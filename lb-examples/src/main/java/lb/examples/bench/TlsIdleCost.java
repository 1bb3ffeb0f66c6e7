package lb.examples.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * What an idle MQTT connection costs a proxy's memory, in the clear and over TLS: the gateway as
 * shipped (started through its distribution's launcher, with the launcher's JVM defaults) against
 * HAProxy ({@code nbthread 1}) terminating the same TLS with the same certificate.
 *
 * <p>One fake broker ({@link BrokerProcess}) serves the whole run. A throwaway EC P-256
 * certificate is generated first ({@link ThrowawayCertificate}). Each repetition measures four
 * cases: gateway plain, gateway TLS, HAProxy TLS, HAProxy plain, in an order that rotates from
 * repetition to repetition. Each case starts a fresh proxy (listening in the clear and with TLS,
 * as it would be deployed) and a fresh {@link IdleClients} process, reads the proxy's settled RSS,
 * opens connections in steps (each a full TLS handshake for the TLS cases, then CONNECT and
 * CONNACK, then silence) and reads the settled RSS after each step. The figures are the growth
 * over the first reading divided by the connections held, and the growth per connection from the
 * first step to the last; the report shows medians over the repetitions and gateway / HAProxy.
 * HAProxy is left out, with a message, when {@code haproxy} or {@code openssl} is missing.
 *
 * <p>Every process is stopped through its own handle, after each case, on failure, or when the
 * run is interrupted.
 *
 * <pre>
 * TlsIdleCost [--repetitions N] [--steps N,N...] [--gateway LAUNCHER] [--haproxy PATH] [--out DIR]
 * </pre>
 */
public final class TlsIdleCost {
    static final String USAGE = """
            usage: TlsIdleCost [OPTIONS]
            RSS growth per idle MQTT connection, plain and over TLS, of the gateway as shipped
            (its distribution's launcher) and of HAProxy terminating the same TLS; medians and ratios.
              --repetitions N     fresh processes per case, medians over them (default 3)
              --steps N,N...      idle connections held at each reading, rising (default 2000,4000)
              --gateway LAUNCHER  the launcher to run (default lb-examples/target/mqtt-gateway/bin/mqtt-gateway,
                                  or target/mqtt-gateway/bin/mqtt-gateway from inside lb-examples)
              --haproxy PATH      the haproxy to run (default: found on PATH or in /usr/sbin)
              --out DIR           where the certificate, results.md and logs go (default target/tls-idle-cost)
              --help              this text
            Build the distribution first: mvn -B -q -DskipTests package
            """;
    /** Broker and client processes: a bounded heap, as in the main benchmark. */
    private static final List<String> HELPER_JVM = List.of("-Xmx1g");
    private static final int SPARE_DESCRIPTORS = 200;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(6);
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin");

    private TlsIdleCost() {
    }

    /** One proxy, one kind of client connection. */
    private record Case(String proxy, boolean tls) {
        String label() {
            return proxy + (tls ? " TLS" : " plain");
        }

        String id() {
            return proxy.toLowerCase(Locale.ROOT) + (tls ? "-tls" : "-plain");
        }
    }

    /** A started proxy: its process and its two listening addresses. */
    private record Proxy(ChildProcess process, InetSocketAddress plain, InetSocketAddress tls) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    /** What one case measured in one repetition: RSS growth per connection at each step, and the slope. */
    private record Run(Case c, int repetition, long baselineRss, double[] perConnection, double slope, String tls,
                       List<String> problems) {
    }

    private static final class Options {
        int repetitions = 3;
        int[] steps = {2_000, 4_000};
        Path gateway;
        String haproxy;
        Path out = Path.of("target", "tls-idle-cost");
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help")) {
                    o.help = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--repetitions" -> o.repetitions = Integer.parseInt(value);
                    case "--steps" -> o.steps = Arrays.stream(value.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                    case "--gateway" -> o.gateway = Path.of(value);
                    case "--haproxy" -> o.haproxy = value;
                    case "--out" -> o.out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (o.repetitions < 1) {
                throw new IllegalArgumentException("--repetitions must be at least 1");
            }
            if (o.steps.length == 0 || o.steps[0] < 1) {
                throw new IllegalArgumentException("--steps must be positive");
            }
            for (int i = 1; i < o.steps.length; i++) {
                if (o.steps[i] <= o.steps[i - 1]) {
                    throw new IllegalArgumentException("--steps must rise");
                }
            }
            return o;
        }

        int maxHeld() {
            return steps[steps.length - 1];
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TlsIdleCost: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(USAGE);
            return;
        }
        if (!ProcessUsage.isAvailable()) {
            System.err.println("TlsIdleCost: needs Linux: memory is read from /proc");
            System.exit(2);
        }
        long files = ProcessUsage.openFileLimit();
        if (files > 0 && 2L * options.maxHeld() + SPARE_DESCRIPTORS > files) {
            System.err.printf(Locale.ROOT, "TlsIdleCost: %d connections need %d open files in the proxy; the limit is %d "
                    + "(raise it with ulimit -n, or lower --steps)%n", options.maxHeld(), 2L * options.maxHeld() + SPARE_DESCRIPTORS, files);
            System.exit(2);
        }
        Optional<Path> launcher = GatewayTarget.locate(options.gateway);
        if (launcher.isEmpty()) {
            System.err.println("TlsIdleCost: no gateway launcher found"
                    + (options.gateway != null ? " at " + options.gateway : "") + "; build it with mvn -B -q -DskipTests package");
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::closeAll, "stop-children"));
        System.exit(run(options, launcher.get(), System.out));
    }

    static int run(Options options, Path launcher, PrintStream out) throws IOException, InterruptedException {
        Path logs = options.out.resolve("logs");
        Files.createDirectories(logs);
        JavaCommand java = JavaCommand.current(HELPER_JVM);
        Optional<Path> haproxy = HaproxyTarget.locate(options.haproxy);
        Optional<Path> openssl = locate("openssl");
        List<Case> cases = new ArrayList<>(List.of(new Case("gateway", false), new Case("gateway", true)));
        if (haproxy.isEmpty()) {
            out.println("haproxy not found: " + HaproxyTarget.INSTALL_HINT + ". Measuring the gateway only.");
        } else if (openssl.isEmpty()) {
            out.println("openssl not found (it makes HAProxy's PEM file): install it (Debian/Ubuntu: sudo apt-get install openssl). "
                    + "Measuring the gateway only.");
        } else {
            cases.add(new Case("HAProxy", true));
            cases.add(new Case("HAProxy", false));
        }
        ThrowawayCertificate certificate = ThrowawayCertificate.generate(options.out.resolve("certificate"),
                haproxy.isPresent() ? openssl : Optional.empty());

        Map<String, String> environment = new LinkedHashMap<>(Machine.describe());
        environment.put("gateway", launcher + " as shipped (JVM defaults of the launcher; no JAVA_OPTS) on " + java.version()
                + "; flags --listen, --tls-listen, --tls-cert (PKCS#12), --tls-key-password, --backends, --no-stats");
        haproxy.filter(h -> cases.size() > 2).ifPresent(h -> environment.put("haproxy", HaproxyTarget.version(h)
                + ", nbthread 1, bind ... ssl crt (PEM made by " + openssl.map(TlsIdleCost::firstLineOfVersion).orElse("openssl") + ")"));
        environment.put("certificate", "self-signed EC P-256 (secp256r1), SHA256withECDSA, made by the JDK's keytool");
        environment.put("clients", "one IdleClients process per case (" + java.version() + " -Xmx1g), a fresh TLS context per "
                + "connection (full handshake, no resumption), MQTT 3.1.1 CONNECT with keep-alive 0, CONNACK, then idle");
        environment.put("settings", options.repetitions + " repetitions, steps " + Arrays.toString(options.steps));
        environment.forEach((k, v) -> out.println(k + ": " + v));

        List<Run> runs = new ArrayList<>();
        int[] sources = {0};
        try (Brokers brokers = Brokers.start(1, 1, java, logs)) {
            InetSocketAddress broker = brokers.addresses().get(0);
            for (int repetition = 1; repetition <= options.repetitions; repetition++) {
                for (int i = 0; i < cases.size(); i++) {
                    Case c = cases.get((i + repetition - 1) % cases.size());
                    String name = c.id() + "-" + repetition;
                    try (Proxy proxy = c.proxy().equals("gateway")
                            ? startGateway(launcher, certificate, broker, logs.resolve(name + ".log"))
                            : startHaproxy(haproxy.orElseThrow(), certificate, broker, options.out, logs.resolve(name + ".log"))) {
                        Run run = measure(c, repetition, proxy, java, certificate, options.steps,
                                "127.1.200." + (++sources[0]), logs.resolve(name + "-clients.log"));
                        runs.add(run);
                        out.println(progress(run, options.steps));
                    }
                }
            }
        }
        String report = report(runs, cases, options.steps, environment);
        out.println();
        out.print(report);
        Files.writeString(options.out.resolve("results.md"), report);
        out.println("results: " + options.out.resolve("results.md") + "; logs in " + logs);
        return runs.stream().allMatch(r -> r.problems().isEmpty()) ? 0 : 1;
    }

    private static Run measure(Case c, int repetition, Proxy proxy, JavaCommand java, ThrowawayCertificate certificate,
            int[] steps, String sourceAddress, Path log) throws IOException, InterruptedException {
        long pid = proxy.process().pid();
        InetSocketAddress target = c.tls() ? proxy.tls() : proxy.plain();
        List<String> args = new ArrayList<>(List.of(hostPort(target), sourceAddress, "r" + repetition + "-" + c.id() + "-"));
        if (c.tls()) {
            args.add(certificate.certificate().toString());
        }
        List<String> problems = new ArrayList<>();
        double[] perConnection = new double[steps.length];
        String tls = "";
        try (ChildProcess clients = ChildProcess.start("clients", java.command(IdleClients.class, args), log, true)) {
            long rss0 = Measurement.settledRss(pid);
            long firstStepRss = rss0;
            long rss = rss0;
            int held = 0;
            for (int s = 0; s < steps.length; s++) {
                clients.send("open " + (steps[s] - held));
                String[] answer = clients.await("open", STEP_TIMEOUT).split(" ");
                held = steps[s];
                if (!answer[1].equals("0") || Integer.parseInt(answer[0]) != held) {
                    problems.add(c.label() + ", repetition " + repetition + ", step " + held + ": " + answer[0] + " live, "
                            + answer[1] + " failed (see " + log + ")");
                }
                if (answer.length >= 4) {
                    tls = answer[2] + " " + answer[3];
                }
                rss = Measurement.settledRss(pid);
                perConnection[s] = (double) (rss - rss0) / held;
                if (s == 0) {
                    firstStepRss = rss;
                }
            }
            double slope = steps.length > 1 ? (double) (rss - firstStepRss) / (steps[steps.length - 1] - steps[0]) : Double.NaN;
            if (!proxy.process().isAlive()) {
                problems.add(c.label() + ", repetition " + repetition + ": the proxy died (see its log)");
            }
            return new Run(c, repetition, rss0, perConnection, slope, tls, problems);
        }
    }

    /** The gateway through its launcher, exactly as shipped: no JVM options of ours, plain and TLS listeners. */
    private static Proxy startGateway(Path launcher, ThrowawayCertificate certificate, InetSocketAddress broker, Path log)
            throws IOException, InterruptedException {
        InetSocketAddress plain = new InetSocketAddress(InetAddress.getLoopbackAddress(), HaproxyTarget.freePort());
        InetSocketAddress tls = new InetSocketAddress(InetAddress.getLoopbackAddress(), HaproxyTarget.freePort());
        List<String> command = List.of(launcher.toString(), "--listen", hostPort(plain), "--tls-listen", hostPort(tls),
                "--tls-cert", certificate.pkcs12().toString(), "--tls-key-password", certificate.password(),
                "--backends", hostPort(broker), "--no-stats");
        Map<String, String> environment = new LinkedHashMap<>();
        // The same runtime as this run's, named the way the launcher documents; nothing else changed.
        environment.put("MQTT_GATEWAY_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        GatewayTarget.JVM_OPTION_VARIABLES.forEach(v -> environment.put(v, ""));
        ChildProcess process = ChildProcess.start("gateway", command, environment, log, false);
        try {
            process.await("mqtt-gateway: listening on", START_TIMEOUT);
            return new Proxy(process, plain, tls);
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
    }

    /** HAProxy with {@link HaproxyConfig#renderWithTls}: one thread, a plain and a TLS frontend. */
    private static Proxy startHaproxy(Path haproxy, ThrowawayCertificate certificate, InetSocketAddress broker, Path directory,
            Path log) throws IOException, InterruptedException {
        int plainPort = HaproxyTarget.freePort();
        int tlsPort = HaproxyTarget.freePort();
        Path config = directory.resolve("haproxy-tls.cfg");
        Files.writeString(config, HaproxyConfig.renderWithTls(1, HaproxyTarget.maxConnections(), plainPort, tlsPort,
                certificate.combinedPem().orElseThrow().toAbsolutePath().toString(), List.of(broker)));
        ChildProcess process = ChildProcess.start("haproxy", List.of(haproxy.toString(), "-db", "-f", config.toString()), log, false);
        try {
            InetSocketAddress plain = new InetSocketAddress(InetAddress.getLoopbackAddress(), plainPort);
            InetSocketAddress tls = new InetSocketAddress(InetAddress.getLoopbackAddress(), tlsPort);
            process.awaitListening(plain, START_TIMEOUT);
            process.awaitListening(tls, START_TIMEOUT);
            return new Proxy(process, plain, tls);
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
    }
    private static String report(List<Run> runs, List<Case> cases, int[] steps, Map<String, String> environment) {
        StringBuilder s = new StringBuilder("# Idle connection cost, plain and TLS\n\n");
        s.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        environment.forEach((k, v) -> s.append("- ").append(k).append(": ").append(v).append('\n'));
        TreeSet<String> tls = new TreeSet<>();
        runs.stream().map(Run::tls).filter(t -> !t.isEmpty()).forEach(tls::add);
        s.append("- negotiated: ").append(tls.isEmpty() ? "-" : String.join(", ", tls)).append("\n\n");

        boolean haproxy = cases.size() > 2;
        s.append("| proxy RSS growth per idle connection (B, median) | gateway plain |")
                .append(haproxy ? " HAProxy plain | gateway / HAProxy, plain |" : "")
                .append(" gateway TLS |")
                .append(haproxy ? " HAProxy TLS | gateway / HAProxy, TLS |" : "")
                .append('\n');
        s.append("|---|---:|").append(haproxy ? "---:|---:|" : "").append("---:|").append(haproxy ? "---:|---:|" : "").append('\n');
        for (int i = 0; i <= steps.length; i++) {
            if (i == steps.length && steps.length < 2) {
                break;
            }
            int step = i;
            String label = i < steps.length ? String.format(Locale.ROOT, "at %,d", steps[i])
                    : String.format(Locale.ROOT, "per extra connection, %,d to %,d", steps[0], steps[steps.length - 1]);
            s.append("| ").append(label).append(" |");
            for (boolean withTls : new boolean[] {false, true}) {
                double gateway = median(runs, new Case("gateway", withTls), step);
                s.append(' ').append(bytes(gateway)).append(" |");
                if (haproxy) {
                    double h = median(runs, new Case("HAProxy", withTls), step);
                    s.append(' ').append(bytes(h)).append(" | ").append(ratio(gateway, h)).append(" |");
                }
            }
            s.append('\n');
        }
        s.append("| RSS before the first connection (MB, median) |");
        for (boolean withTls : new boolean[] {false, true}) {
            double gateway = median(runs, new Case("gateway", withTls), r -> r.baselineRss() / 1e6);
            s.append(String.format(Locale.ROOT, " %.1f |", gateway));
            if (haproxy) {
                double h = median(runs, new Case("HAProxy", withTls), r -> r.baselineRss() / 1e6);
                s.append(String.format(Locale.ROOT, " %.1f | %s |", h, ratio(gateway, h)));
            }
        }
        s.append('\n');
        s.append("\nEvery repetition (B per connection at ").append(Arrays.toString(steps))
                .append(steps.length > 1 ? ", then per extra connection" : "").append("; RSS before the first connection):\n\n");
        for (Case c : cases) {
            s.append("- ").append(c.label()).append(':');
            for (Run r : runs) {
                if (r.c().equals(c)) {
                    s.append(" [");
                    for (double v : r.perConnection()) {
                        s.append(bytes(v)).append(", ");
                    }
                    s.append(steps.length > 1 ? bytes(r.slope()) : "-")
                            .append(String.format(Locale.ROOT, "; %.1f MB]", r.baselineRss() / 1e6));
                }
            }
            s.append('\n');
        }
        List<String> problems = runs.stream().flatMap(r -> r.problems().stream()).toList();
        if (!problems.isEmpty()) {
            s.append("\nProblems:\n\n");
            problems.forEach(p -> s.append("- ").append(p).append('\n'));
        }
        return s.toString();
    }

    /** The median over repetitions of {@code c}: growth per connection at step {@code step}, or the slope past the last step. */
    private static double median(List<Run> runs, Case c, int step) {
        return median(runs, c, r -> step < r.perConnection().length ? r.perConnection()[step] : r.slope());
    }

    private static double median(List<Run> runs, Case c, ToDoubleFunction<Run> figure) {
        double[] values = runs.stream().filter(r -> r.c().equals(c)).mapToDouble(figure)
                .filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static String progress(Run r, int[] steps) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "repetition %d %-14s", r.repetition(), r.c().label()));
        for (int i = 0; i < steps.length; i++) {
            s.append(String.format(Locale.ROOT, "  %s B/conn at %,d", bytes(r.perConnection()[i]), steps[i]));
        }
        if (steps.length > 1) {
            s.append(String.format(Locale.ROOT, ", %s B per extra", bytes(r.slope())));
        }
        s.append(String.format(Locale.ROOT, " (RSS before: %.1f MB)", r.baselineRss() / 1e6));
        if (!r.tls().isEmpty()) {
            s.append(", ").append(r.tls());
        }
        r.problems().forEach(p -> s.append("\n  problem: ").append(p));
        return s.toString();
    }

    private static String bytes(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** An executable named {@code name} on the PATH or in the usual system directories. */
    static Optional<Path> locate(String name) {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.addAll(SYSTEM_DIRECTORIES);
        return directories.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** {@code openssl version}'s output, e.g. "OpenSSL 3.0.19 27 Jan 2026 ...". */
    private static String firstLineOfVersion(Path openssl) {
        try {
            Process p = new ProcessBuilder(openssl.toString(), "version").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return text.isEmpty() ? "openssl" : text.split("\n")[0];
        } catch (IOException e) {
            return "openssl";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "openssl";
        }
    }
}
