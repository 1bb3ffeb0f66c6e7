package lb.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory and CPU of a process as Linux reports them in {@code /proc/<pid>}: resident set size
 * from {@code status}, user + system CPU time from {@code stat}, and the open-file limit.
 * Stateless; any thread.
 */
final class ProcessUsage {
    /**
     * {@code /proc/<pid>/stat} counts CPU time in USER_HZ ticks, which Linux fixes at 100 per
     * second for user space whatever the kernel's own tick rate, so one tick is 10 ms.
     */
    private static final long NANOS_PER_TICK = 10_000_000L;
    /** Fields 14 and 15 of {@code stat} (utime, stime), counted after the ")" that ends field 2. */
    private static final int UTIME_AFTER_COMM = 11;

    private ProcessUsage() {
    }

    /** True when this system has {@code /proc} to read from. */
    static boolean isAvailable() {
        return Files.isReadable(Path.of("/proc/self/status"));
    }

    /** Resident set size in bytes ({@code VmRSS}). */
    static long rssBytes(long pid) {
        for (String line : read(pid, "status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String kb = line.substring("VmRSS:".length()).replace("kB", "").trim();
                return Long.parseLong(kb) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }

    /** User plus system CPU time of every thread of the process so far, in nanoseconds (10 ms steps). */
    static long cpuNs(long pid) {
        String stat = read(pid, "stat");
        // The command name (field 2) is in parentheses and may hold spaces; count from its end.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[UTIME_AFTER_COMM + 1]);
        return ticks * NANOS_PER_TICK;
    }

    /** This process's soft limit on open files (children inherit it), or -1 when unknown. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: the caller picks a conservative figure.
        }
        return -1;
    }

    private static String read(long pid, String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/" + file, e);
        }
    }
}
