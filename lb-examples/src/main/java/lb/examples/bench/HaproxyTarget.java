package lb.examples.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy with {@link HaproxyConfig}, run in the foreground ({@code -db}) as a child process.
 * Used when an {@code haproxy} executable is found (Debian: {@code apt-get install haproxy}).
 */
final class HaproxyTarget extends ProxyProcess {
    static final String INSTALL_HINT = "install it (Debian/Ubuntu: sudo apt-get install haproxy) or pass --haproxy PATH";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");

    private final Path executable;
    private final int threads;
    private final List<InetSocketAddress> brokers;
    private final Path workDirectory;
    /** PEM with certificate and key when both frontends terminate TLS; null in the clear. */
    private final Path tlsCertificateAndKey;

    HaproxyTarget(Path executable, int threads, List<InetSocketAddress> brokers, Path workDirectory) {
        this(executable, threads, brokers, workDirectory, null);
    }

    /** {@code tlsCertificateAndKey}: both frontends terminate TLS with it (a PEM of chain and key); null for none. */
    HaproxyTarget(Path executable, int threads, List<InetSocketAddress> brokers, Path workDirectory, Path tlsCertificateAndKey) {
        this.executable = executable;
        this.threads = threads;
        this.brokers = List.copyOf(brokers);
        this.workDirectory = workDirectory;
        this.tlsCertificateAndKey = tlsCertificateAndKey;
    }

    /**
     * The {@code haproxy} to run: {@code given} if set, else the first on the PATH or in the
     * usual system directories (often missing from a user's PATH).
     */
    static Optional<Path> locate(String given) {
        if (given != null) {
            Path p = Path.of(given);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        directories.addAll(SYSTEM_DIRECTORIES);
        for (String directory : directories) {
            if (!directory.isEmpty()) {
                Path candidate = Path.of(directory, "haproxy");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The first line of {@code haproxy -v}. */
    static String version(Path executable) {
        try {
            Process p = new ProcessBuilder(executable.toString(), "-v").redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n")[0];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public String name() {
        return "haproxy";
    }

    @Override
    public void start() throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        mqtt = new InetSocketAddress(loopback, freePort());
        pubsub = new InetSocketAddress(loopback, freePort());
        Path config = workDirectory.resolve("haproxy.cfg");
        Files.writeString(config, HaproxyConfig.render(threads, maxConnections(), mqtt.getPort(), pubsub.getPort(),
                tlsCertificateAndKey == null ? null : tlsCertificateAndKey.toAbsolutePath().toString(), brokers));
        List<String> command = List.of(executable.toString(), "-db", "-f", config.toString());
        process = ChildProcess.start("haproxy", command, workDirectory.resolve("haproxy-" + (++starts) + ".log"), false);
        process.awaitListening(mqtt, START_TIMEOUT);
        process.awaitListening(pubsub, START_TIMEOUT);
    }

    /** As many as the inherited descriptor limit allows at two per connection, with room for the rest. */
    static int maxConnections() {
        long limit = ProcessUsage.openFileLimit();
        return limit < 0 ? 4_000 : (int) Math.min(100_000, Math.max(100, (limit - 200) / 2));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public OptionalLong heapAfterGc() {
        return OptionalLong.empty();
    }
}
