package lb.core.stats.http;

import java.util.Locale;

/** Numbers as people read them on the stats page: 1,234 · 3.21 MiB · 12.5/s · 4 min ago. */
final class HumanUnits {
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private HumanUnits() {
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Three significant digits past 1 KiB: "512 B", "1.50 KiB", "45.6 MiB", "812 GiB". */
    static String bytes(double n) {
        if (n < 1024) {
            return String.format(Locale.ROOT, "%.0f B", n);
        }
        int unit = 0;
        while (n >= 1024 && unit < BINARY.length - 1) {
            n /= 1024;
            unit++;
        }
        String format = n < 10 ? "%.2f %s" : n < 100 ? "%.1f %s" : "%.0f %s";
        return String.format(Locale.ROOT, format, n, BINARY[unit]);
    }

    static String bytesPerSecond(double n) {
        return bytes(n) + "/s";
    }

    static String perSecond(double n) {
        if (n == 0) {
            return "0/s";
        }
        return String.format(Locale.ROOT, n < 10 ? "%.1f/s" : "%,.0f/s", n);
    }

    static String percent(double ratio) {
        if (ratio > 0 && ratio < 0.01) {
            return "<1%";
        }
        return String.format(Locale.ROOT, "%.0f%%", ratio * 100);
    }

    /** A short span of time: "0 ms", "4.2 ms", "350 ms", "2.5 s", "95 s". */
    static String duration(long nanos) {
        double ms = nanos / 1e6;
        if (ms < 10) {
            return String.format(Locale.ROOT, ms == 0 ? "%.0f ms" : "%.1f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        double s = ms / 1000;
        return String.format(Locale.ROOT, s < 10 ? "%.1f s" : "%,.0f s", s);
    }

    /** How long before {@code nowMillis} {@code thenMillis} was, in the largest whole unit. */
    static String ago(long thenMillis, long nowMillis) {
        long s = Math.max(0, nowMillis - thenMillis) / 1000;
        if (s < 1) {
            return "just now";
        }
        if (s < 120) {
            return s + " s ago";
        }
        if (s < 7200) {
            return s / 60 + " min ago";
        }
        if (s < 172_800) {
            return s / 3600 + " h ago";
        }
        return s / 86_400 + " d ago";
    }
}
