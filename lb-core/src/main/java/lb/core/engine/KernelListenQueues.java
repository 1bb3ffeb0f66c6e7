package lb.core.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * What the kernel knows of the queue in front of each listening socket, read from Linux's
 * {@code /proc}: the accept queue's length now (connections the handshake completed and no one
 * accepted yet, which is where clients wait while a frontend is at its limit), and the
 * network namespace's {@code ListenOverflows} and {@code ListenDrops} (connections dropped
 * because an accept queue was full, or for any reason at a listener). Where {@code /proc} does
 * not have them (another platform) they are absent, never zero.
 *
 * <p>Thread-safe; never runs on a loop. {@link #sample} reads at most once per period (the
 * stats collector asks on each snapshot) and otherwise returns the last reading. A reading is
 * cheap however many connections the host has: {@code /proc/net/tcp} lists listening sockets
 * before all others, so reading stops at the first socket that is not listening. A file that
 * cannot be parsed is counted ({@link Sample#failures()}) and logged once, and its figures are
 * absent from that sample; it never throws.
 *
 * <pre>
 * /proc/net/tcp (and tcp6, with 32 hex digits of address), one socket per line:
 *   sl  local_address rem_address   st tx_queue rx_queue ...
 *    0: 0100007F:075B 00000000:0000 0A 00000000:00000005 ...
 *       addr:port (hex, address   state   for LISTEN (0A): rx_queue = accept queue length;
 *       in host byte order)               tx_queue is not the backlog (it is 0 for listeners)
 * /proc/net/netstat: a "TcpExt:" line of names, then a "TcpExt:" line of values
 * /proc/sys/net/core/somaxconn: the most any listen() backlog may be (larger ones are capped)
 * </pre>
 */
final class KernelListenQueues {
    private static final System.Logger LOG = System.getLogger(KernelListenQueues.class.getName());
    /** A stats page refreshed every few seconds and a scraper every 15 s both see fresh figures. */
    static final long PERIOD_NS = 1_000_000_000L;
    /** Where Linux shows it. */
    static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";
    private static final InetAddress ANY_IPV4;

    static {
        try {
            ANY_IPV4 = InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One reading: accept-queue lengths by listening address, and the namespace's counters. */
    record Sample(Map<InetSocketAddress, Long> acceptQueues, OptionalLong listenOverflows, OptionalLong listenDrops,
                  long takenAtMillis, long failures) {

        /**
         * The accept queue of the socket (or sockets, with {@code SO_REUSEPORT}) listening on
         * {@code address}, as bound; absent where the kernel's table could not be read or does
         * not list it.
         */
        OptionalLong acceptQueue(InetSocketAddress address) {
            Long n = acceptQueues.get(normalized(address));
            return n == null ? OptionalLong.empty() : OptionalLong.of(n);
        }
    }

    private final Path proc;
    private final LongSupplier nanoClock;
    private long failures;
    private boolean failureLogged;
    private Sample last;
    private long lastNs;

    KernelListenQueues(Path proc, LongSupplier nanoClock) {
        this.proc = proc;
        this.nanoClock = nanoClock;
    }

    /** The kernel's figures, read now if the last reading is a period old. Any thread but a loop's. */
    synchronized Sample sample() {
        long now = nanoClock.getAsLong();
        if (last == null || now - lastNs >= PERIOD_NS) {
            last = read();
            lastNs = now;
        }
        return last;
    }

    private Sample read() {
        Map<InetSocketAddress, Long> queues = new HashMap<>();
        readListeners(proc.resolve("net/tcp"), queues);
        readListeners(proc.resolve("net/tcp6"), queues);
        long[] counters = readListenCounters(proc.resolve("net/netstat"));
        return new Sample(Map.copyOf(queues),
                counters == null ? OptionalLong.empty() : OptionalLong.of(counters[0]),
                counters == null ? OptionalLong.empty() : OptionalLong.of(counters[1]),
                System.currentTimeMillis(), failures);
    }

    /** Adds each listening socket's accept queue to {@code queues}; false if the file is missing or unreadable. */
    private boolean readListeners(Path file, Map<InetSocketAddress, Long> queues) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String header = in.readLine();
            if (header == null || !header.contains("local_address")) {
                return failed(file, "no header line");
            }
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 5) {
                    return failed(file, "a short line: " + line.trim());
                }
                if (!f[3].equals(LISTEN)) {
                    break; // listening sockets come first: the rest are connections
                }
                InetSocketAddress local = hexAddress(f[1]);
                int colon = f[4].indexOf(':');
                if (local == null || colon < 0) {
                    return failed(file, "cannot read '" + f[1] + "' or '" + f[4] + "'");
                }
                long acceptQueue = Long.parseLong(f[4].substring(colon + 1), 16);
                queues.merge(normalized(local), acceptQueue, Long::sum);
            }
            return true;
        } catch (NoSuchFileException e) {
            return false; // not Linux, or no IPv6: absent, and no failure
        } catch (IOException | RuntimeException e) {
            return failed(file, e.toString());
        }
    }

    /** ListenOverflows and ListenDrops; null if missing or unreadable. */
    private long[] readListenCounters(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    long overflows = -1;
                    long drops = -1;
                    for (int k = 1; k < names.length && k < values.length; k++) {
                        if (names[k].equals("ListenOverflows")) {
                            overflows = Long.parseLong(values[k]);
                        } else if (names[k].equals("ListenDrops")) {
                            drops = Long.parseLong(values[k]);
                        }
                    }
                    if (overflows < 0 || drops < 0) {
                        failed(file, "no ListenOverflows or ListenDrops in TcpExt");
                        return null;
                    }
                    return new long[] {overflows, drops};
                }
            }
            failed(file, "no TcpExt lines");
            return null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            failed(file, e.toString());
            return null;
        }
    }

    private boolean failed(Path file, String why) {
        failures++;
        System.Logger.Level level = failureLogged ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        failureLogged = true;
        LOG.log(level, () -> "kernel_stats_unreadable file=" + file + " reason=\"" + why
                + "\"; accept-queue figures absent from this sample (logged once; see sampleFailures)");
        return false;
    }

    /**
     * {@code HEX:PORT} from {@code /proc/net/tcp} or {@code tcp6}: the address as 32-bit words
     * in host byte order; null if it is not one.
     */
    static InetSocketAddress hexAddress(String field) {
        int colon = field.indexOf(':');
        String hex = colon < 0 ? "" : field.substring(0, colon);
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        byte[] bytes = new byte[hex.length() / 2];
        boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int w = 0; w < bytes.length / 4; w++) {
            int word = Integer.parseUnsignedInt(hex.substring(8 * w, 8 * w + 8), 16);
            if (littleEndian) {
                word = Integer.reverseBytes(word);
            }
            bytes[4 * w] = (byte) (word >>> 24);
            bytes[4 * w + 1] = (byte) (word >>> 16);
            bytes[4 * w + 2] = (byte) (word >>> 8);
            bytes[4 * w + 3] = (byte) word;
        }
        try {
            int port = Integer.parseInt(field.substring(colon + 1), 16);
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The form addresses are compared in: the JDK's sockets are IPv6 by default, so an IPv4
     * address shows as {@code ::ffff:a.b.c.d} (the JDK reads that back as IPv4 already) and the
     * wildcard as {@code ::}; both wildcards compare as 0.0.0.0.
     */
    static InetSocketAddress normalized(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip != null && ip.isAnyLocalAddress()) {
            return new InetSocketAddress(ANY_IPV4, a.getPort());
        }
        return a;
    }

    /**
     * {@code /proc/sys/net/core/somaxconn}: the cap on every listen backlog; absent where
     * unreadable. Read in one call: a sysctl file answers a read at any offset but 0 with end of
     * file, so {@code Files.readString}, which reads a first byte alone, would see "4" of "4096".
     */
    static OptionalInt somaxconn(Path proc) {
        Path file = proc.resolve("sys/net/core/somaxconn");
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line = in.readLine();
            return line == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(line.trim()));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The accept queue a listen backlog of {@code backlog} really gets, and a warning when the
     * kernel caps it: {@code listen()} silently cuts any backlog above {@code somaxconn}.
     * Called where listening sockets are bound, off the loops.
     */
    static OptionalInt effectiveBacklog(String frontend, InetSocketAddress address, int backlog,
                                        OptionalInt somaxconn) {
        if (somaxconn.isEmpty()) {
            return OptionalInt.empty();
        }
        int cap = somaxconn.getAsInt();
        if (backlog > cap) {
            LOG.log(System.Logger.Level.WARNING, "listen_backlog_capped frontend=" + frontend + " address="
                    + address + " backlog=" + backlog + " somaxconn=" + cap + "; the kernel queues at most " + cap
                    + " connections waiting to be accepted there (raise net.core.somaxconn, or lower the backlog)");
            return OptionalInt.of(cap);
        }
        return OptionalInt.of(backlog);
    }
}
