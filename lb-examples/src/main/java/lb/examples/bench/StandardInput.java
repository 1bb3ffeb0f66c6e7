package lb.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Commands a benchmark child process reads from its stdin, one per line. The parent closing the
 * pipe (or dying) reads as end of input, which every child takes as "stop": so no child
 * outlives the benchmark. Used by a child's main thread only.
 */
final class StandardInput {
    private static final BufferedReader IN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private StandardInput() {
    }

    /** The next command line, trimmed, or null at end of input. */
    static String next() {
        try {
            String line = IN.readLine();
            return line == null ? null : line.trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** Blocks until the input ends, ignoring any commands. */
    static void awaitEnd() {
        while (next() != null) {
            // Nothing to do: this child only waits to be told to stop.
        }
    }
}
