package lb.examples.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;

/**
 * MQTT load for a broker or balancer on this machine: connect, idle, pubsub, churn and storm
 * scenarios (see {@link Scenario}), thousands of clients on a few NIO threads, HdrHistogram
 * latencies. Usable in-process:
 *
 * <pre>
 * LoadConfig config = LoadConfig.builder(Scenario.CONNECT, brokerAddress).clients(2_000).build();
 * LoadResult result = new LoadGenerator(config).progressTo(System.err).run();
 * System.out.print(LoadReport.text(result));
 * </pre>
 *
 * or from the command line ({@link LoadCommandLine#USAGE}). A run happens on the calling
 * thread plus the configured client loop threads; each call to {@link #run()} is a new run.
 */
public final class LoadGenerator {
    private final LoadConfig config;
    private PrintStream progress;

    public LoadGenerator(LoadConfig config) {
        this.config = config;
    }

    /** Shows a live progress line on {@code out} (usually stderr) while running; null for none. */
    public LoadGenerator progressTo(PrintStream out) {
        this.progress = out;
        return this;
    }

    /** Runs the scenario to the end (or the time limit) and returns what it measured. */
    public LoadResult run() throws IOException, InterruptedException {
        return new LoadDriver(config, progress).run();
    }

    /** Runs {@code config} without progress output. */
    public static LoadResult run(LoadConfig config) throws IOException, InterruptedException {
        return new LoadGenerator(config).run();
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(runCommandLine(args, System.out, System.err));
    }

    /** The command line without exiting: returns the exit status (0 clean, 1 problems seen, 2 bad usage). */
    public static int runCommandLine(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        LoadCommandLine cli;
        try {
            cli = LoadCommandLine.parse(args);
        } catch (LoadCommandLine.UsageException e) {
            err.println("LoadGenerator: " + e.getMessage());
            err.println("Run with --help for the options.");
            return 2;
        }
        if (cli.help()) {
            out.print(LoadCommandLine.USAGE);
            return 0;
        }
        try {
            LoadResult result = new LoadGenerator(cli.config()).progressTo(cli.quiet() ? null : err).run();
            out.print(LoadReport.text(result));
            if (cli.jsonFile() != null) {
                Files.writeString(cli.jsonFile(), LoadReport.json(result));
            }
            return result.isClean() ? 0 : 1;
        } catch (IOException e) {
            err.println("LoadGenerator: " + e.getMessage());
            return 1;
        }
    }
}
