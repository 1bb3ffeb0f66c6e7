package lb.examples.gateway;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/** Parses flag values (durations, addresses, counts), naming the flag in every error. */
final class Values {
    private Values() {
    }

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}; a bare number is seconds. */
    static Duration duration(String flag, String text) throws UsageException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.replaceAll("[smhd]$", ""));
            return switch (t.charAt(t.length() - 1)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new UsageException(flag + ": not a duration: '" + text + "' (examples: 500ms, 30s, 10m, 2h)");
        }
    }

    /** A fraction in [0, 1), like a tolerance: {@code 0.1} is ten percent. */
    static double fraction(String flag, String text) throws UsageException {
        try {
            double d = Double.parseDouble(text.trim());
            if (d >= 0 && d < 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException(flag + ": expected a fraction in [0, 1), got '" + text + "'");
    }

    /** A size in bytes: a bare number, or with k, m or g (powers of 1024), e.g. 64m. */
    static long bytes(String flag, String text) throws UsageException {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new UsageException(flag + ": out of range: '" + text + "'");
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": not a size: '" + text + "' (examples: 65536, 512k, 64m, 2g)");
        }
    }

    static int count(String flag, String text, int min, int max) throws UsageException {
        try {
            int n = Integer.parseInt(text.trim().replace("_", ""));
            if (n < min || n > max) {
                throw new UsageException(flag + ": " + n + " is out of range " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": not a number: '" + text + "'");
        }
    }

    /** {@code HOST:PORT}, {@code :PORT} (all interfaces) or {@code [v6]:PORT}. */
    static InetSocketAddress address(String flag, String text) throws UsageException {
        InetSocketAddress a = unresolved(flag, text);
        String host = a.getHostString();
        InetSocketAddress resolved = host.isEmpty() ? new InetSocketAddress(a.getPort()) : new InetSocketAddress(host, a.getPort());
        if (resolved.isUnresolved()) {
            throw new UsageException(flag + ": cannot resolve host '" + host + "'");
        }
        return resolved;
    }

    /** {@code HOST:PORT} or {@code [v6]:PORT} as written, the host not looked up (it is re-resolved later). */
    static InetSocketAddress unresolved(String flag, String text) throws UsageException {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException(flag + ": expected HOST:PORT, got '" + text + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = count(flag + " (port)", t.substring(colon + 1), 0, 65535);
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** A comma-separated list, blanks dropped. */
    static java.util.List<String> list(String text) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return java.util.List.copyOf(out);
    }
}
