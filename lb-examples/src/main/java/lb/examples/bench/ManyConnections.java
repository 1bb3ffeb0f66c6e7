package lb.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import lb.examples.loadgen.LoadGenerator;

/**
 * More idle MQTT connections than one process can hold: several proxy processes share one
 * listening port ({@code SO_REUSEPORT}: the gateway's {@code --reuse-port}, HAProxy's default),
 * brokers and load generators are processes of their own. Each load process binds a loopback
 * source address of its own, with ports below the kernel's ephemeral range where there is room:
 * one source address reaches one destination from at most that range's ports, and ports bound
 * inside it (a bound port is taken for every address) would leave too few for the proxies' own
 * connections to the brokers. At each step the connections rise to the next count and ping at half their
 * keep-alive; the figures are the proxies' resident memory per connection and their CPU per ping,
 * and the busiest second of any proxy process, so a spike shows.
 *
 * <pre>
 * ManyConnections [--steps 1000,10000,50000] [--proxies N] [--brokers N] [--keep-alive 60s]
 *                 [--window 60s] [--targets gateway,haproxy] [--gateway LAUNCHER] [--out DIR]
 * </pre>
 */
public final class ManyConnections {
    /** Held by one load generator process at most (its own limit is 15,000). */
    private static final int PER_LOAD_PROCESS = 12_500;
    private static final List<String> HELPER_JVM = List.of("-Xmx1g");
    private static final Duration CONNECT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /**
     * The gateways' connections to the brokers bind source ports from here up, a range per
     * broker: left to the kernel, they and the load share one ephemeral range, which does not
     * hold 50,000 connections on one address (28,232 ports on a default Linux).
     */
    private static final int SOURCE_PORTS_FROM = 2_000;
    private static final int SOURCE_PORTS_PER_BROKER = 5_000;
    /** In a load generator's progress line: "| live 12500 |". */
    private static final Pattern LIVE = Pattern.compile("live (\\d+)");

    private int[] steps = {1_000, 10_000, 50_000};
    private int proxies = 7;
    private int brokers = 3;
    private Duration keepAlive = Duration.ofSeconds(60);
    private Duration window = Duration.ofSeconds(60);
    private List<String> targets = List.of("gateway", "haproxy");
    private Path gateway;
    private Path out = Path.of("target", "many-connections");
    /** The port every proxy process of the current target listens on. */
    private InetSocketAddress listenAddress;

    private ManyConnections() {
    }

    public static void main(String[] args) throws Exception {
        ManyConnections run = new ManyConnections();
        try {
            run.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ManyConnections: " + e.getMessage());
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::closeAll, "stop-children"));
        System.exit(run.run(System.out));
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--steps" -> steps = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                case "--proxies" -> proxies = Integer.parseInt(v);
                case "--brokers" -> brokers = Integer.parseInt(v);
                case "--keep-alive" -> keepAlive = BenchmarkOptions.duration("--keep-alive", v, Duration.ofSeconds(2));
                case "--window" -> window = BenchmarkOptions.duration("--window", v, Duration.ofSeconds(5));
                case "--targets" -> targets = List.of(v.split(","));
                case "--gateway" -> gateway = Path.of(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (proxies < 1 || proxies > 250 || brokers < 1 || brokers > 6) {
            // a source address per proxy (127.8.T.N), and a port range per broker below 32,000
            throw new IllegalArgumentException("--proxies must be 1-250 and --brokers 1-6");
        }
        long files = ProcessUsage.openFileLimit();
        int most = steps[steps.length - 1];
        if (files > 0 && (2L * most / proxies + 200 > files || (long) most / brokers + 200 > files)) {
            throw new IllegalArgumentException(most + " connections do not fit " + proxies + " proxies and " + brokers
                    + " brokers at " + files + " open files each: raise --proxies or --brokers");
        }
    }

    private int run(PrintStream o) throws IOException, InterruptedException {
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        JavaCommand java = JavaCommand.current(HELPER_JVM);
        List<String> report = new ArrayList<>();
        report.add("| proxy | connections | RSS of all proxies (MB) | RSS / connection (B) | CPU per ping (us) "
                + "| CPU of all proxies (% core) | busiest proxy second (% core) |");
        report.add("|---|---:|---:|---:|---:|---:|---:|");
        try (Brokers b = Brokers.start(brokers, 1, java, logs)) {
            for (String target : targets) {
                Optional<List<ChildProcess>> started = startProxies(target, b.addresses(), logs);
                if (started.isEmpty()) {
                    o.println(target + ": not available, skipped");
                    continue;
                }
                List<ChildProcess> proxyProcesses = started.get();
                try {
                    measure(target, proxyProcesses, java, logs, o, report);
                } finally {
                    proxyProcesses.forEach(ChildProcess::close);
                }
            }
        }
        String table = String.join("\n", report) + "\n";
        Files.writeString(out.resolve("results.md"), "# Many idle connections\n\n" + Machine.describe() + "\n\n" + table);
        o.println();
        o.print(table);
        return 0;
    }

    private void measure(String target, List<ChildProcess> proxyProcesses, JavaCommand java, Path logs, PrintStream o,
            List<String> report) throws IOException, InterruptedException {
        InetSocketAddress front = listenAddress;
        long baseRss = totalRss(proxyProcesses);
        List<ChildProcess> load = new ArrayList<>();
        List<Path> loadLogs = new ArrayList<>();
        int held = 0;
        try {
            for (int step : steps) {
                while (held < step) {
                    int n = Math.min(PER_LOAD_PROCESS, step - held);
                    int index = load.size();
                    List<String> args = new ArrayList<>(List.of("idle", "--target", hostPort(front),
                            "--clients", Integer.toString(n), "--client-id-prefix", target + "-" + index + "-",
                            "--keep-alive", keepAlive.toSeconds() + "s", "--duration", "1h", "--inflight", "100",
                            "--threads", "1", "--source", "127.9." + targets.indexOf(target) + "." + (index + 1)));
                    belowEphemeralRange(n).ifPresent(ports -> args.addAll(List.of("--source-ports", ports)));
                    Path log = logs.resolve(target + "-load-" + index + ".log");
                    load.add(ChildProcess.start("load-" + index, java.command(LoadGenerator.class, args), log, false));
                    loadLogs.add(log);
                    held += n;
                    try {
                        awaitConnections(load, loadLogs, held);
                    } catch (IllegalStateException e) {
                        String line = String.format(Locale.ROOT, "| %s | %,d | could not reach it: %s | | | | |", target, step, e.getMessage());
                        o.println(line);
                        report.add(line);
                        return;
                    }
                }
                Thread.sleep(SETTLE.toMillis());
                long rss = totalRss(proxyProcesses);
                long cpu0 = totalCpu(proxyProcesses);
                double busiest = busiestSecond(proxyProcesses, window);
                long cpu1 = totalCpu(proxyProcesses);
                double pings = (double) held * window.toNanos() / (keepAlive.toNanos() / 2.0);
                double cpuShare = 100.0 * (cpu1 - cpu0) / window.toNanos();
                String line = String.format(Locale.ROOT, "| %s | %,d | %.1f | %,d | %.1f | %.1f%% | %.1f%% |", target, held,
                        rss / 1e6, (rss - baseRss) / held, (cpu1 - cpu0) / 1e3 / pings, cpuShare, busiest);
                o.println(line);
                report.add(line);
                for (ChildProcess p : proxyProcesses) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException(p.name() + " died (see its log in " + logs + ")");
                    }
                }
            }
        } finally {
            load.forEach(ChildProcess::close);
        }
    }

    private Optional<List<ChildProcess>> startProxies(String target, List<InetSocketAddress> brokerAddresses, Path logs)
            throws IOException, InterruptedException {
        listenAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), HaproxyTarget.freePort());
        List<ChildProcess> started = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            List<String> command;
            Map<String, String> environment = new LinkedHashMap<>();
            if (target.equals("gateway")) {
                Optional<Path> launcher = GatewayTarget.locate(gateway);
                if (launcher.isEmpty()) {
                    return Optional.empty();
                }
                environment.put("MQTT_GATEWAY_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
                GatewayTarget.JVM_OPTION_VARIABLES.forEach(v -> environment.put(v, ""));
                command = new ArrayList<>(List.of(launcher.get().toString(), "--listen", hostPort(listenAddress),
                        "--reuse-port", "--stickiness", "hash", "--no-stats"));
                for (int b = 0; b < brokerAddresses.size(); b++) {
                    // a source address per process and a port range per broker, below the ephemeral range (HAProxy's alike)
                    int low = SOURCE_PORTS_FROM + b * SOURCE_PORTS_PER_BROKER;
                    command.add("--server");
                    command.add("broker-" + (b + 1) + "=" + hostPort(brokerAddresses.get(b)) + ",source=127.8."
                            + targets.indexOf(target) + "." + (i + 1) + ":" + low + "-" + (low + SOURCE_PORTS_PER_BROKER - 1));
                }
            } else {
                Optional<Path> haproxy = HaproxyTarget.locate(null);
                if (haproxy.isEmpty()) {
                    return Optional.empty();
                }
                Path config = out.resolve("haproxy-many-" + i + ".cfg");
                String rendered = HaproxyConfig.render(1, HaproxyTarget.maxConnections(), listenAddress.getPort(),
                        HaproxyTarget.freePort(), brokerAddresses);
                for (int b = 0; b < brokerAddresses.size(); b++) {
                    int low = SOURCE_PORTS_FROM + b * SOURCE_PORTS_PER_BROKER;
                    String server = "server broker-" + (b + 1) + " " + hostPort(brokerAddresses.get(b));
                    rendered = rendered.replace(server + "\n", server + " source 127.8." + targets.indexOf(target) + "." + (i + 1)
                            + ":" + low + "-" + (low + SOURCE_PORTS_PER_BROKER - 1) + "\n");
                }
                Files.writeString(config, rendered);
                command = List.of(haproxy.get().toString(), "-db", "-f", config.toString());
            }
            ChildProcess p = ChildProcess.start(target + "-" + i, command, environment, logs.resolve(target + "-" + i + ".log"), false);
            started.add(p);
            if (target.equals("gateway")) {
                p.await("mqtt-gateway: listening on", Duration.ofSeconds(60));
            } else {
                Thread.sleep(1000);  // HAProxy says nothing when it listens; the port answers from the first process on
            }
            p.awaitListening(listenAddress, Duration.ofSeconds(60));
        }
        return Optional.of(started);
    }

    /** Waits until the load processes' progress lines (twice a second, in their logs) add up to {@code connections} live. */
    private static void awaitConnections(List<ChildProcess> load, List<Path> logs, int connections)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        int live;
        while ((live = live(logs)) < connections) {
            for (ChildProcess p : load) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p.name() + " exited (see its log)");
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + live + " of " + connections + " connections within "
                        + CONNECT_TIMEOUT.toMinutes() + " min");
            }
            Thread.sleep(500);
        }
    }

    private static int live(List<Path> logs) throws IOException {
        int sum = 0;
        for (Path log : logs) {
            byte[] all = Files.readAllBytes(log);
            String tail = new String(all, Math.max(0, all.length - 4096), Math.min(all.length, 4096), StandardCharsets.UTF_8);
            Matcher m = LIVE.matcher(tail);
            int last = 0;
            while (m.find()) {
                last = Integer.parseInt(m.group(1));
            }
            sum += last;
        }
        return sum;
    }

    /** Samples every proxy's CPU each second over {@code window}; the largest one-second share of a core. */
    private static double busiestSecond(List<ChildProcess> proxies, Duration window) throws InterruptedException {
        long[] last = new long[proxies.size()];
        for (int i = 0; i < last.length; i++) {
            last[i] = ProcessUsage.cpuNs(proxies.get(i).pid());
        }
        double busiest = 0;
        long end = System.nanoTime() + window.toNanos();
        long then = System.nanoTime();
        while (System.nanoTime() - end < 0) {
            Thread.sleep(1000);
            long now = System.nanoTime();
            for (int i = 0; i < last.length; i++) {
                long cpu = ProcessUsage.cpuNs(proxies.get(i).pid());
                busiest = Math.max(busiest, 100.0 * (cpu - last[i]) / (now - then));
                last[i] = cpu;
            }
            then = now;
        }
        return busiest;
    }

    private static long totalRss(List<ChildProcess> proxies) {
        return proxies.stream().mapToLong(p -> ProcessUsage.rssBytes(p.pid())).sum();
    }

    private static long totalCpu(List<ChildProcess> proxies) {
        return proxies.stream().mapToLong(p -> ProcessUsage.cpuNs(p.pid())).sum();
    }
    /** {@code LOW-HIGH}: ports for {@code n} clients (and some spare) just below the kernel's ephemeral range, if they fit above 1024. */
    private static Optional<String> belowEphemeralRange(int n) {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            int low = Integer.parseInt(range[0]);
            int first = low - n - 1000;
            return first > 1024 ? Optional.of(first + "-" + (low - 1)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
