package lb.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One process the benchmark started, spoken to line by line: commands go to its stdin, its
 * stdout lines are queued by a reader thread, its stderr goes to a log file. Used by the
 * benchmark's main thread (and {@link #closeAll} by its shutdown hook); the reader thread
 * touches nothing but the queue.
 *
 * <p>Every wait is bounded, and {@link #close} stops this process (and nothing else) through
 * its own handle: politely first, by force after a grace period.
 */
final class ChildProcess implements AutoCloseable {
    private static final String END_OF_OUTPUT = "\u0000end";
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** Every child not yet closed, so that an interrupted benchmark can stop exactly those. */
    private static final Set<ChildProcess> OPEN = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final boolean stopsAtEndOfInput;

    private ChildProcess(String name, Process process, Path log, boolean stopsAtEndOfInput) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stopsAtEndOfInput = stopsAtEndOfInput;
        this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(this::readLines, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code command}; its stderr is appended to {@code log}. {@code stopsAtEndOfInput}
     * says the program exits by itself when its stdin closes (the benchmark's own mains do).
     */
    static ChildProcess start(String name, List<String> command, Path log, boolean stopsAtEndOfInput) throws IOException {
        return start(name, command, Map.of(), log, stopsAtEndOfInput);
    }

    /**
     * As {@link #start(String, List, Path, boolean)}, with changes to the inherited environment:
     * each entry is set, or removed where its value is empty.
     */
    static ChildProcess start(String name, List<String> command, Map<String, String> environment, Path log,
            boolean stopsAtEndOfInput) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        environment.forEach((key, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        Process p = builder.start();
        ChildProcess child = new ChildProcess(name, p, log, stopsAtEndOfInput);
        OPEN.add(child);
        return child;
    }

    /** Closes every child this process started and has not closed yet; for a shutdown hook. */
    static void closeAll() {
        for (ChildProcess child : List.copyOf(OPEN)) {
            child.close();
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // The process went away; the end marker below tells the waiter.
        }
        lines.add(END_OF_OUTPUT);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends one line to the process's stdin. */
    void send(String line) {
        stdin.println(line);
        if (stdin.checkError()) {
            throw new UncheckedIOException(new IOException(name + " no longer reads its input (see " + log + ")"));
        }
    }

    /**
     * Waits for the next stdout line starting with {@code prefix} (earlier other lines are
     * skipped) and returns the rest of it, trimmed. Fails if the process ends or the time runs out.
     */
    String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new IllegalStateException(name + " said nothing starting with '" + prefix + "' within "
                        + timeout.toSeconds() + " s (see " + log + ")");
            }
            if (line.equals(END_OF_OUTPUT)) {
                lines.add(END_OF_OUTPUT);
                throw new IllegalStateException(name + " ended before saying '" + prefix + "' (see " + log + ")");
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** Waits until {@code address} takes connections; fails if this process ends first or the time runs out. */
    void awaitListening(InetSocketAddress address, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start (see " + log + ")");
            }
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + address + " within " + timeout.toSeconds() + " s");
    }

    /**
     * Closes stdin (the benchmark's own programs take that as "stop"), then terminates, then
     * kills, each with a bounded wait.
     */
    @Override
    public void close() {
        OPEN.remove(this);
        stdin.close();
        try {
            if (stopsAtEndOfInput && process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            process.destroy();
            if (process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            process.destroyForcibly();
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
