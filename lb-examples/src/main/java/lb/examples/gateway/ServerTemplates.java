package lb.examples.gateway;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The servers that server-template lines stand for: one per address a name resolves to (a
 * Kubernetes headless service, a DNS round robin), named after the template and the address
 * ({@code broker-10.0.0.11}), so the same addresses always make the same servers and a
 * re-resolution that finds them again changes nothing. The addresses last found are kept:
 * a failed lookup changes nothing (it is logged and counted), so a DNS hiccup never drains a
 * backend. Thread-safe; lookups run on the thread that builds a configuration (start, reload)
 * and on the resolve thread, never on an event loop.
 */
final class ServerTemplates {
    /** Addresses sort by their text, so a name's servers come in the same order every time. */
    private static final Comparator<InetAddress> BY_TEXT = Comparator.comparing(InetAddress::getHostAddress);

    private final NameResolver resolver;
    private final PrintStream log;
    /** By backend and template name: the host and the addresses last found (empty: none yet). */
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    private record Known(String host, int count, List<InetAddress> addresses) {
    }

    ServerTemplates(NameResolver resolver, PrintStream log) {
        this.resolver = resolver;
        this.log = log;
    }

    /** Lookups that failed so far (each kept the addresses found before). */
    long failures() {
        return failures.get();
    }

    /**
     * The servers {@code t} of {@code backend} stands for, from the addresses last found; a
     * template not seen before (or whose host or count changed) is looked up now.
     */
    List<GatewayOptions.ServerSpec> servers(String backend, GatewayOptions.ServerTemplate t) {
        String key = backend + "/" + t.prefix();
        Known k = known.get(key);
        if (k == null || !k.host().equals(t.host()) || k.count() != t.count()) {
            k = new Known(t.host(), t.count(), List.of());
            known.put(key, k);
        }
        if (k.addresses().isEmpty()) {
            k = lookUp(key, k); // none found yet: try now rather than serve none until the next round
        }
        List<GatewayOptions.ServerSpec> out = new ArrayList<>();
        GatewayOptions.ServerSpec o = t.options();
        for (InetAddress a : k.addresses()) {
            out.add(new GatewayOptions.ServerSpec(name(t.prefix(), a), new InetSocketAddress(a, t.port()), o.weight(),
                    o.maxConnections(), o.sources(), o.proxy(), o.checkPort()));
        }
        return out;
    }

    /** The servers of every template of {@code backend}, in the templates' order. */
    List<GatewayOptions.ServerSpec> servers(String backend, List<GatewayOptions.ServerTemplate> templates) {
        List<GatewayOptions.ServerSpec> out = new ArrayList<>();
        for (GatewayOptions.ServerTemplate t : templates) {
            out.addAll(servers(backend, t));
        }
        return out;
    }

    /**
     * Forgets the templates {@code running} no longer has (after a reload dropped them), so
     * their names are no longer looked up.
     */
    void retain(GatewayOptions running) {
        java.util.Set<String> keep = new java.util.HashSet<>();
        running.templates.forEach(t -> keep.add("brokers/" + t.prefix()));
        for (GatewayOptions.Section b : running.backends) {
            b.settings().templates.forEach(t -> keep.add(b.name() + "/" + t.prefix()));
        }
        known.keySet().retainAll(keep);
    }

    /** Looks every template up again; true when any name's addresses changed. */
    boolean refresh() {
        boolean changed = false;
        for (Map.Entry<String, Known> e : known.entrySet()) {
            Known before = e.getValue();
            changed |= !lookUp(e.getKey(), before).addresses().equals(before.addresses());
        }
        return changed;
    }

    /**
     * Starts looking the names up again every {@code interval} on a thread of its own, running
     * {@code onChange} when any changed (templates a reload adds are included). Closing stops it.
     */
    AutoCloseable start(Duration interval, Runnable onChange) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(interval.toMillis());
                    if (refresh()) {
                        onChange.run();
                    }
                }
            } catch (InterruptedException stop) {
                // closed
            }
        }, "mqtt-gateway-resolve");
        t.setDaemon(true);
        t.start();
        return () -> {
            t.interrupt();
            t.join(5_000);
        };
    }

    /** Looks {@code before}'s host up; keeps and returns {@code before} when the lookup fails. */
    private Known lookUp(String key, Known before) {
        InetAddress[] found;
        try {
            found = resolver.resolve(before.host());
        } catch (Exception e) {
            failures.incrementAndGet();
            log.println(Log.line("resolve_failed", "server-template " + key + ": " + before.host() + ": " + e
                    + "; keeping " + before.addresses().size() + " known address(es)"));
            return before;
        }
        Known after = new Known(before.host(), before.count(), choose(before.addresses(), found, before.count()));
        if (!after.addresses().equals(before.addresses())) {
            log.println(Log.line("resolve_changed", "server-template " + key + ": " + before.host() + " "
                    + texts(before.addresses()) + " -> " + texts(after.addresses())));
        }
        known.replace(key, before, after);
        return after;
    }

    /**
     * The addresses to make servers of: with a count, those already in use that are still
     * found come first (their servers stay), then new ones, up to the count.
     */
    private static List<InetAddress> choose(List<InetAddress> inUse, InetAddress[] found, int count) {
        List<InetAddress> fresh = new ArrayList<>();
        for (InetAddress a : found) {
            if (!fresh.contains(a)) {
                fresh.add(a);
            }
        }
        fresh.sort(BY_TEXT);
        if (count == 0 || fresh.size() <= count) {
            return List.copyOf(fresh);
        }
        List<InetAddress> chosen = new ArrayList<>();
        for (InetAddress a : inUse) {
            if (fresh.contains(a) && chosen.size() < count) {
                chosen.add(a);
            }
        }
        for (InetAddress a : fresh) {
            if (!chosen.contains(a) && chosen.size() < count) {
                chosen.add(a);
            }
        }
        chosen.sort(BY_TEXT);
        return List.copyOf(chosen);
    }

    /** {@code broker-10.0.0.11}, {@code broker-2001:db8::1}: an IPv6 address as RFC 5952 writes it, without scope. */
    static String name(String prefix, InetAddress a) {
        String text = a.getHostAddress();
        int scope = text.indexOf('%');
        text = scope >= 0 ? text.substring(0, scope) : text;
        return prefix + "-" + (text.indexOf(':') >= 0 ? shortened(text) : text);
    }

    /** The longest run of two or more zero groups (the first of equals) written as "::" (RFC 5952 section 4.2). */
    private static String shortened(String full) {
        String[] groups = full.split(":");
        int bestAt = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestAt = i;
                bestLength = j - i;
            }
        }
        if (bestAt < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestAt));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestAt + bestLength, groups.length));
        return head + "::" + tail;
    }

    private static List<String> texts(List<InetAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (InetAddress a : addresses) {
            out.add(a.getHostAddress());
        }
        return out;
    }
}
