package lb.examples.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as operators run it: its distribution's launcher with the launcher's JVM defaults
 * and the gateway's own defaults (event loops, stickiness table, least connections, MQTT health
 * checks), from a configuration file with the two frontends every target has. Only the
 * {@code JAVA_OPTS} and flags given to the benchmark are added; by default nothing is.
 */
final class GatewayTarget extends ProxyProcess {
    /** Variables that would change the launcher's JVM options; cleared unless the benchmark sets JAVA_OPTS itself. */
    static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
    /** "used 1234K" in each generation's line of {@code jcmd PID GC.heap_info}. */
    private static final Pattern GENERATION_USED = Pattern.compile("^\\s*(?!Metaspace|class space)\\S.*?used (\\d+)K", Pattern.MULTILINE);

    private final Path launcher;
    private final Path java;
    private final String javaOptions;
    private final List<String> flags;
    private final List<InetSocketAddress> brokers;
    private final Path workDirectory;
    /** Both frontends terminate TLS with it; null in the clear. */
    private final ThrowawayCertificate tls;

    GatewayTarget(Path launcher, Path java, String javaOptions, List<String> flags, List<InetSocketAddress> brokers,
            Path workDirectory) {
        this(launcher, java, javaOptions, flags, brokers, workDirectory, null);
    }

    /**
     * @param launcher    the distribution's {@code bin/mqtt-gateway}
     * @param java        the runtime, handed over as {@code MQTT_GATEWAY_JAVA}
     * @param javaOptions {@code JAVA_OPTS}; blank for the launcher's defaults alone
     * @param flags       gateway flags after {@code --config}; they win over the file's global keys
     * @param tls         the certificate both frontends terminate TLS with (its PKCS#12 file); null for none
     */
    GatewayTarget(Path launcher, Path java, String javaOptions, List<String> flags, List<InetSocketAddress> brokers,
            Path workDirectory, ThrowawayCertificate tls) {
        this.launcher = launcher;
        this.java = java;
        this.javaOptions = javaOptions.trim();
        this.flags = List.copyOf(flags);
        this.brokers = List.copyOf(brokers);
        this.workDirectory = workDirectory;
        this.tls = tls;
    }

    /** The launcher given, or the distribution's where a build leaves it, seen from the top of the repository or from lb-examples. */
    static Optional<Path> locate(Path given) {
        List<Path> candidates = given != null ? List.of(given)
                : List.of(Path.of("lb-examples", "target", "mqtt-gateway", "bin", "mqtt-gateway"),
                        Path.of("target", "mqtt-gateway", "bin", "mqtt-gateway"));
        return candidates.stream().filter(Files::isExecutable).map(Path::toAbsolutePath).findFirst();
    }

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public void start() throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        mqtt = new InetSocketAddress(loopback, HaproxyTarget.freePort());
        pubsub = new InetSocketAddress(loopback, HaproxyTarget.freePort());
        Path config = workDirectory.resolve("gateway.conf");
        Files.writeString(config, configuration());
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("MQTT_GATEWAY_JAVA", java.toString());
        JVM_OPTION_VARIABLES.forEach(v -> environment.put(v, ""));
        environment.put("JAVA_OPTS", javaOptions);
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "--config", config.toString()));
        command.addAll(flags);
        process = ChildProcess.start("gateway", command, environment,
                workDirectory.resolve("gateway-" + (++starts) + ".log"), false);
        process.awaitListening(mqtt, START_TIMEOUT);
        process.awaitListening(pubsub, START_TIMEOUT);
    }

    /**
     * What {@link HaproxyConfig} gives HAProxy, in the gateway's words: the same listeners (and
     * certificate, with TLS), backlog, table size and expiry, timeouts; everything else is the
     * gateway's default.
     */
    private String configuration() {
        StringBuilder s = new StringBuilder("global\n    no-stats\n");
        backend(s, "brokers", brokers);
        backend(s, "pubsub-broker", brokers.subList(0, 1));
        frontend(s, "mqtt", mqtt, "brokers");
        frontend(s, "pubsub", pubsub, "pubsub-broker");
        return s.toString();
    }

    private static void backend(StringBuilder s, String name, List<InetSocketAddress> servers) {
        s.append("\nbackend ").append(name).append('\n');
        for (int i = 0; i < servers.size(); i++) {
            s.append("    server broker-").append(i + 1).append(' ').append(hostPort(servers.get(i))).append('\n');
        }
        s.append("    stick-capacity ").append(BalancerProcess.STICK_TABLE_CAPACITY).append('\n')
                .append("    stick-expire ").append(BalancerProcess.STICK_EXPIRY.toMinutes()).append("m\n")
                .append("    connect-timeout ").append(BalancerProcess.CONNECT_TIMEOUT.toSeconds()).append("s\n")
                .append("    server-timeout ").append(BalancerProcess.IDLE_TIMEOUT.toMinutes()).append("m\n");
    }

    private void frontend(StringBuilder s, String name, InetSocketAddress listen, String backend) {
        s.append("\nfrontend ").append(name).append('\n')
                .append("    listen ").append(hostPort(listen)).append('\n');
        if (tls != null) {
            s.append("    tls-cert ").append(tls.pkcs12().toAbsolutePath()).append('\n')
                    .append("    tls-key-password ").append(tls.password()).append('\n');
        }
        s.append("    backend ").append(backend).append('\n')
                .append("    backlog ").append(BalancerProcess.BACKLOG).append('\n')
                .append("    inspect-delay ").append(BalancerProcess.INSPECT_DELAY.toSeconds()).append("s\n")
                .append("    client-timeout ").append(BalancerProcess.IDLE_TIMEOUT.toMinutes()).append("m\n");
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /**
     * Through {@code jcmd} next to the runtime (a JDK has it, a JRE does not): a full collection,
     * then the generations' use. Empty where it cannot tell.
     */
    @Override
    public OptionalLong heapAfterGc() throws InterruptedException {
        Path jcmd = java.resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return OptionalLong.empty();
        }
        String pid = Long.toString(process.pid());
        if (jcmd(jcmd, pid, "GC.run").isEmpty()) {
            return OptionalLong.empty();
        }
        Optional<String> info = jcmd(jcmd, pid, "GC.heap_info");
        if (info.isEmpty()) {
            return OptionalLong.empty();
        }
        Matcher m = GENERATION_USED.matcher(info.get());
        long kilobytes = 0;
        boolean found = false;
        while (m.find()) {
            kilobytes += Long.parseLong(m.group(1));
            found = true;
        }
        return found ? OptionalLong.of(kilobytes * 1024) : OptionalLong.empty();
    }

    private static Optional<String> jcmd(Path jcmd, String pid, String command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), pid, command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(new String(output, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
