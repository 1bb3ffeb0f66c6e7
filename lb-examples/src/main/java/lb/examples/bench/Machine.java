package lb.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A description of the machine a run happened on, for the report. Stateless. */
final class Machine {
    private Machine() {
    }

    /** CPU model, processors, memory and kernel, as far as this system tells. */
    static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"));
        m.put("processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal").orElse("unknown"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        long files = ProcessUsage.openFileLimit();
        m.put("openFileLimit", files < 0 ? "unknown" : Long.toString(files));
        return m;
    }

    private static Optional<String> firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Optional.of(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException e) {
            // Not Linux, or not readable: the caller says "unknown".
        }
        return Optional.empty();
    }
}
