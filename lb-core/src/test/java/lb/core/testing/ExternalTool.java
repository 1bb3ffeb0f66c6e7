package lb.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds and runs a program installed on the machine, for tests that check our output against a
 * real peer (HAProxy, promtool, a browser). A missing program skips the test on a developer's
 * machine, loudly, but fails it under CI ({@code CI=true}), where {@code .ci/run} installs
 * every one: a CI run that silently skipped them would prove nothing about them.
 */
public final class ExternalTool {
    /** Where Debian installs daemons such as haproxy; a non-root user's PATH often lacks them. */
    private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin");

    public record Result(int exitCode, String output) {
    }

    private ExternalTool() {
    }

    /**
     * The first of {@code names} found on the PATH (then in the sbin directories). When none is
     * there: under CI the test fails, naming the program and the Debian {@code apt package}
     * that provides it; elsewhere it is skipped with a warning on stderr.
     */
    public static Path require(String aptPackage, String... names) {
        for (String name : names) {
            Optional<Path> found = onPath(name);
            if (found.isPresent()) {
                return found.get();
            }
        }
        String missing = String.join(" or ", names) + " is not on the PATH (apt package: " + aptPackage + ")";
        if (underCi()) {
            Assertions.fail(missing + "; CI=true, so this test must run: install it (.ci/run does)");
        }
        System.err.println("WARNING: SKIPPED, " + missing + "; under CI=true this fails");
        Assumptions.abort(missing);
        throw new AssertionError("unreachable");
    }

    /** {@code name} on the PATH (then in the sbin directories), if it is there. */
    public static Optional<Path> onPath(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(SBIN);
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Runs {@code command} with {@code input} on stdin; stdout and stderr together; killed after the timeout. */
    public static Result run(List<String> command, String input, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = p.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        // read in the background so a chatty program cannot block on a full pipe
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                output.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append("(output unreadable: ").append(e.getMessage()).append(')');
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
            throw new AssertionError(command.get(0) + " did not finish within " + timeoutSeconds + " s: " + output);
        }
        reader.join(10_000);
        return new Result(p.exitValue(), output.toString());
    }
}
