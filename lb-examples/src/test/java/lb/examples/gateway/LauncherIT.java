package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs the launcher of the distribution the package phase built (target/mqtt-gateway), as an
 * operator would: which java it picks, what it refuses, and the JVM options it passes.
 */
class LauncherIT {
    private static final Path HOME = Path.of(System.getProperty("mqtt-gateway.home", "target/mqtt-gateway"));
    private static final Path LAUNCHER = HOME.resolve("bin/mqtt-gateway");
    private static final String JAVA_HOME = System.getProperty("java.home");

    @TempDir
    Path temp;

    @BeforeAll
    static void theDistributionIsBuilt() {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "the launcher is a POSIX shell script");
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is missing or not executable: build it with mvn package");
    }

    @Test
    void helpPrintsTheManualAndExitsZero() throws Exception {
        Run run = launch(Map.of("JAVA_HOME", JAVA_HOME), LAUNCHER.toString(), "--help");
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out.contains("SYNOPSIS"), run.toString());
        assertTrue(run.out.contains("mqtt-gateway --listen HOST:PORT --backends HOST:PORT,HOST:PORT"), run.toString());
    }

    @Test
    void aJavaOlderThan17IsRefusedWithAReason() throws Exception {
        Path fakeHome = fakeJava("11.0.22");
        Run run = launch(Map.of("JAVA_HOME", fakeHome.toString()), LAUNCHER.toString(), "--help");
        assertEquals(1, run.status, run.toString());
        assertTrue(run.err.contains("mqtt-gateway: needs Java 17 or newer, but " + fakeHome.resolve("bin/java")
                + " (from JAVA_HOME) is Java 11.0.22"), run.toString());
        assertFalse(run.out.contains("SYNOPSIS"), run.toString());
    }

    @Test
    void mqttGatewayJavaChoosesTheJavaBeforeJavaHome() throws Exception {
        Path fakeHome = fakeJava("11.0.22");
        Run run = launch(Map.of("JAVA_HOME", fakeHome.toString(), "MQTT_GATEWAY_JAVA", JAVA_HOME + "/bin/java"),
                LAUNCHER.toString(), "--help");
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out.contains("SYNOPSIS"), run.toString());
    }

    @Test
    void theJvmGetsTheProxyDefaults() throws Exception {
        Run run = launch(Map.of("JAVA_HOME", JAVA_HOME, "JAVA_OPTS", "-XX:+PrintCommandLineFlags"),
                LAUNCHER.toString(), "--help");
        assertEquals(0, run.status, run.toString());
        String flags = run.out.lines().findFirst().orElse("");
        for (String flag : List.of("-XX:ThreadStackSize=512", "-XX:+UseSerialGC", "-XX:NewSize=8388608",
                "-XX:MaxNewSize=8388608", "-XX:InitialHeapSize=67108864", "-XX:MaxHeapSize=536870912",
                "-XX:+ExitOnOutOfMemoryError")) {
            assertTrue(flags.contains(flag), flag + " in " + flags);
        }
    }

    /** Native heap trimming is passed only to runtimes that have the option: an unknown -XX option stops a JVM. */
    @ParameterizedTest
    @CsvSource({"17.0.8, false", "17.0.9, true", "17.0.15, true", "20.0.2, false", "21, false", "21.0.1, true",
            "25.0.3, true"})
    void nativeHeapTrimmingOnlyWhereTheRuntimeHasIt(String version, boolean trims) throws Exception {
        Path fakeHome = fakeJava(version);
        Run run = launch(Map.of("JAVA_HOME", fakeHome.toString()), LAUNCHER.toString(), "--help");
        assertEquals(99, run.status, run.toString());
        assertTrue(run.err.contains("the fake java was asked to run: -Xss512k"), run.toString());
        assertEquals(trims, run.err.contains("-XX:TrimNativeHeapInterval=1000"), run.toString());
    }

    /**
     * The quick JIT compiler alone, unless an argument or a setting of the --config file is
     * about TLS (whose AES instructions only the optimizing compiler's code uses); a comment
     * naming TLS does not count. In the CSV, {@code ~} stands for a line break of the file.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--listen 127.0.0.1:1883 --backends 127.0.0.1:1884 | | true",
        "--backends 127.0.0.1:1884 --tls-cert /etc/cert.pem --tls-key /etc/key.pem | | false",
        "--backends 127.0.0.1:1884 --server-tls-ca /etc/ca.pem | | false",
        "--config CONFIG | backend b~    server a 127.0.0.1:1884~frontend f~    listen 127.0.0.1:8883~    tls-cert /etc/cert.pem | false",
        "--config=CONFIG | tls-cert=/etc/cert.pem | false",
        "--config CONFIG | backends=127.0.0.1:1884~server-tls-ca=/etc/ca.pem | false",
        "--config CONFIG | backends=127.0.0.1:1884~# tls-cert=/etc/cert.pem | true"})
    void theQuickJitCompilerAloneUnlessTlsIsConfigured(String args, String config, boolean quickOnly) throws Exception {
        Path file = temp.resolve("gateway.conf");
        Files.writeString(file, config == null ? "" : config.replace("~", "\n"), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        for (String a : args.split(" ")) {
            command.add(a.replace("CONFIG", file.toString()));
        }
        Run run = launch(Map.of("JAVA_HOME", fakeJava("17.0.15").toString()), command.toArray(String[]::new));
        assertEquals(99, run.status, run.toString());
        assertEquals(quickOnly, run.err.contains(" -XX:TieredStopAtLevel=1 "), run.toString());
    }

    @Test
    void javaOptsReplaceTheDefaultCollectorAndHeap() throws Exception {
        // -Xms1g alone would clash with the default -Xmx512m, and two collectors stop the JVM.
        Run run = launch(Map.of("JAVA_HOME", JAVA_HOME,
                        "JAVA_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseParallelGC -Xms1g -Xss1m"),
                LAUNCHER.toString(), "--help");
        assertEquals(0, run.status, run.toString());
        String flags = run.out.lines().findFirst().orElse("");
        assertTrue(flags.contains("-XX:+UseParallelGC"), flags);
        assertFalse(flags.contains("-XX:+UseSerialGC"), flags);
        assertFalse(flags.contains("-XX:NewSize=8388608"), flags);
        assertTrue(flags.contains("-XX:InitialHeapSize=1073741824"), flags);
        assertFalse(flags.contains("-XX:MaxHeapSize=536870912"), flags);
        assertTrue(flags.contains("-XX:ThreadStackSize=1024"), flags);
    }

    @Test
    void aSymbolicLinkToTheLauncherFindsTheDistribution() throws Exception {
        Path link = Files.createSymbolicLink(temp.resolve("mqtt-gateway"), LAUNCHER.toAbsolutePath());
        Run run;
        try {
            run = launch(Map.of("JAVA_HOME", JAVA_HOME), link.toString(), "--help");
        } finally {
            Files.delete(link);   // before @TempDir's clean-up, which warns about links leading out
        }
        assertEquals(0, run.status, run.toString());
        assertTrue(run.out.contains("SYNOPSIS"), run.toString());
    }

    @Test
    void theExampleConfigurationIsValid() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {
                "--config", HOME.resolve("conf/mqtt-gateway.properties").toString()});
        assertFalse(o.demo);
        assertEquals(3, o.servers.size());
        assertEquals(1883, o.listen.get(0).getPort());
    }

    /** A JAVA_HOME whose java reports {@code version} and fails if asked to run anything. */
    private Path fakeJava(String version) throws IOException {
        Path bin = Files.createDirectories(temp.resolve("old-jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\n"
                + "if [ \"$1\" = -version ]; then\n"
                + "    echo 'openjdk version \"" + version + "\" 2024-01-16' >&2\n"
                + "    echo 'OpenJDK Runtime Environment (build " + version + "+7)' >&2\n"
                + "    exit 0\n"
                + "fi\n"
                + "echo \"the fake java was asked to run: $*\" >&2\n"
                + "exit 99\n", StandardCharsets.US_ASCII);
        assertTrue(java.toFile().setExecutable(true));
        return bin.getParent();
    }

    private Run launch(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)));
        Map<String, String> environment = builder.environment();
        environment.remove("JAVA_HOME");
        environment.remove("JAVA_OPTS");
        environment.remove("MQTT_GATEWAY_JAVA");
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.putAll(env);
        Path out = temp.resolve("out-" + System.nanoTime());
        Path err = temp.resolve("err-" + System.nanoTime());
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " still running after 30 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
