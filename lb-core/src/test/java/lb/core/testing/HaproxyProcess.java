package lb.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A real HAProxy in the foreground, for tests that check our PROXY protocol against it. Its
 * output (its log, when the configuration logs to stdout) goes to a file the test can read.
 * Needs the {@code haproxy} binary: skipped without it, failing under CI (see {@link ExternalTool}).
 */
public final class HaproxyProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path output;

    private HaproxyProcess(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /**
     * Starts HAProxy with the configuration {@code configFor} gives for a free port, and waits
     * until it listens there. A port picked free may be taken before HAProxy binds it (other
     * tests open thousands of sockets): HAProxy then exits, and it is started again on another
     * port, a few times at most.
     */
    public static HaproxyProcess start(IntFunction<String> configFor) throws Exception {
        String haproxy = ExternalTool.require("haproxy", "haproxy").toString();
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path config = Files.createTempFile("haproxy", ".cfg");
            Path output = Files.createTempFile("haproxy", ".out");
            config.toFile().deleteOnExit();
            output.toFile().deleteOnExit();
            Files.writeString(config, configFor.apply(port));
            Process p = new ProcessBuilder(haproxy, "-db", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (p.isAlive() && System.nanoTime() < deadline) {
                if (isListening(port)) {
                    return new HaproxyProcess(p, port, output);
                }
                Thread.sleep(20);
            }
            stop(p);
        }
        throw new AssertionError("haproxy did not start listening in 5 attempts");
    }

    /** The port its first {@code bind} line was given. */
    public int port() {
        return port;
    }

    /** The first line of its output holding {@code text}, waiting for it up to {@code wait}. */
    public Optional<String> awaitLine(String text, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            Optional<String> line = Files.readAllLines(output, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) {
                return line;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** All it printed so far, for a failure message. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Tells whether HAProxy listens without connecting (a probe would be proxied too). */
    private static boolean isListening(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true; // the port is taken: HAProxy listens
        }
    }
}
