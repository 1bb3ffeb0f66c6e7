package lb.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Command lines for the benchmark's child JVMs: which {@code java} to run, with which options,
 * on the benchmark's own class path. Immutable.
 *
 * @param java      the {@code java} executable
 * @param options   JVM options, e.g. heap sizing
 * @param classPath the class path every child gets: the one this benchmark runs on
 */
record JavaCommand(Path java, List<String> options, String classPath) {

    JavaCommand {
        options = List.copyOf(options);
    }

    /** The runtime this benchmark itself runs on, with {@code options}. */
    static JavaCommand current(List<String> options) {
        return new JavaCommand(Path.of(System.getProperty("java.home"), "bin", "java"), options,
                System.getProperty("java.class.path"));
    }

    /**
     * The same class path on another runtime: {@code javaOrHome} is a {@code java} executable or
     * a JDK directory holding {@code bin/java}.
     */
    JavaCommand withRuntime(String javaOrHome) {
        Path given = Path.of(javaOrHome);
        Path executable = Files.isDirectory(given) ? given.resolve("bin").resolve("java") : given;
        if (!Files.isExecutable(executable)) {
            throw new IllegalArgumentException("--lb-java: no java executable at " + executable);
        }
        return new JavaCommand(executable, options, classPath);
    }

    JavaCommand withOptions(List<String> jvmOptions) {
        return new JavaCommand(java, jvmOptions, classPath);
    }

    /** {@code java OPTIONS -cp CLASSPATH MAIN ARGS}. */
    List<String> command(Class<?> main, List<String> args) {
        List<String> c = new ArrayList<>();
        c.add(java.toString());
        c.addAll(options);
        c.add("-cp");
        c.add(classPath);
        c.add(main.getName());
        c.addAll(args);
        return c;
    }

    /** True when this runtime starts with {@code option} (an unknown -XX option stops it). */
    boolean accepts(String option) {
        try {
            Process p = new ProcessBuilder(java.toString(), option, "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The runtime's name and version, from the second line {@code java -version} prints. */
    String version() {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            return (lines.length > 1 ? lines[1] : lines[0]).strip();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
