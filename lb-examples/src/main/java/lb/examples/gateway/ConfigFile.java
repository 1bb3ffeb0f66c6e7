package lb.examples.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lb.core.config.KeyRoute;

/**
 * Reads the sectioned configuration file: HAProxy-like sections whose keys are the gateway's
 * flag names without the dashes. Hand-written, JDK only; called from the thread that parses
 * options (start-up, reload). Every error names the file, the line and the key.
 *
 * <pre>
 * # a comment; blank lines are ignored
 * global
 *     event-loops 2
 *     stats 127.0.0.1:1936
 *
 * backend brokers
 *     server broker-a 10.0.0.11:1883 weight=2 maxconn=50000
 *     server broker-b 10.0.0.12:1883
 *     balancer leastconn
 *
 * frontend mqtt
 *     listen 0.0.0.0:1883
 *     backend brokers
 * </pre>
 *
 * A line is a key, then its value (the rest of the line); a switch ({@code accept-proxy}) may
 * stand alone. The {@code global} section takes the process-wide keys, which flags on the
 * command line override; a frontend or backend section starts from the defaults.
 * {@code conf/mqtt-gateway.conf} in the distribution documents every key.
 */
final class ConfigFile {
    /** Keys of a {@code frontend} section (besides {@code listen}, {@code priority} and {@code backend}). */
    static final Set<String> FRONTEND_KEYS = Set.of("tls-cert", "tls-key", "tls-key-password", "tls-client-ca",
            "tls-client-auth", "tls-alpn", "tls-protocols", "tls-client-id-from-cert", "tls-handshake-timeout", "inspect-delay",
            "client-timeout", "accept-proxy", "trusted-proxies", "backlog", "max-connections-per-source",
            "max-connection-rate-per-source", "source-prefix", "source-table-size", "source-table-expire",
            "frontend-max-connections", "no-inspection", "no-connack-replies", "keepalive-factor",
            "max-key-connection-rate", "max-connect-packet", "websocket", "websocket-path", "sni-passthrough");

    /** Keys of a {@code backend} section (besides {@code server}). */
    static final Set<String> BACKEND_KEYS = Set.of("balancer", "stickiness", "stick-capacity", "stick-expire",
            "health", "health-interval", "health-rise", "health-fall", "health-port", "health-host",
            "health-expect-status", "health-expect-body", "health-no-tls", "connect-timeout", "server-timeout",
            "queue-priority-burst", "server-tls-ca", "server-tls-cert", "server-tls-key", "server-tls-no-verify-host",
            "slow-start", "observe-failed-connects", "close-on-down", "health-send-proxy", "max-queue",
            "queue-timeout", "key-rate-period", "drain-on-remove", "rebalance-on-add", "rebalance-tolerance",
            "rebalance-rate");

    /** Flags that mean nothing inside a file. */
    private static final Set<String> NOT_IN_FILE = Set.of("config", "check-config", "help", "demo", "demo-clients",
            "server", "server-template", "backends", "listen", "tls-listen", "priority", "backend");

    private ConfigFile() {
    }

    /** True when the file's first meaningful line opens a section (else it is the properties form). */
    static boolean isSectioned(Path file) throws UsageException {
        for (String line : lines(file)) {
            String t = strip(line);
            if (!t.isEmpty()) {
                String word = t.split("\\s+", 2)[0];
                return word.equals("global") || word.equals("frontend") || word.equals("backend");
            }
        }
        return false;
    }

    /**
     * Reads {@code file} into {@code o}'s frontend and backend sections; the global section's
     * keys go to {@code flags} unless a flag already set them (flags win).
     */
    static void read(Path file, GatewayOptions o, Map<String, String> flags) throws UsageException {
        List<String> lines = lines(file);
        String kind = null;
        String name = null;
        String where = null;
        GatewayOptions section = null;
        String backend = null;
        String backendWhere = null;
        Set<String> names = new HashSet<>();
        List<String[]> frontendBackends = new ArrayList<>();
        for (int i = 0; i <= lines.size(); i++) {
            String t = i < lines.size() ? strip(lines.get(i)) : null;
            if (t != null && t.isEmpty()) {
                continue;
            }
            String at = file + ":" + (i + 1);
            String[] kv = t == null ? new String[] {""} : t.split("\\s+", 2);
            String key = kv[0];
            String value = kv.length == 2 ? kv[1].trim() : null;
            // inside a frontend, an indented "backend NAME" names its backend; at the start of a line it opens a section
            boolean indented = t != null && Character.isWhitespace(lines.get(i).charAt(0));
            boolean header = t == null || key.equals("global") || key.equals("frontend")
                    || (key.equals("backend") && !("frontend".equals(kind) && indented));
            if (header) {
                if (section != null) {
                    close(kind, name, where, section, backend, backendWhere, o, frontendBackends);
                }
                if (t == null) {
                    break;
                }
                kind = key;
                where = at;
                backend = null;
                backendWhere = null;
                if (key.equals("global")) {
                    if (value != null) {
                        throw new UsageException(at + ": 'global' takes no name");
                    }
                    name = "global";
                    section = null;
                } else {
                    if (value == null || !value.matches("[A-Za-z0-9_.-]+")) {
                        throw new UsageException(at + ": '" + key + "' needs a name (letters, digits, . _ -)");
                    }
                    if (!names.add(key + " " + value)) {
                        throw new UsageException(at + ": " + key + " '" + value + "' is defined twice");
                    }
                    name = value;
                    section = new GatewayOptions();
                }
                continue;
            }
            if (kind == null) {
                throw new UsageException(at + ": '" + key + "' outside a section (start with global, frontend NAME or backend NAME)");
            }
            if (value == null) {
                if (!GatewayOptions.isSwitch(key)) {
                    throw new UsageException(at + ": " + key + ": missing value");
                }
                value = "true";
            }
            try {
                switch (kind) {
                    case "global" -> global(key, value, flags);
                    case "frontend" -> {
                        if (key.equals("backend")) {
                            backend = value;
                            backendWhere = at;
                        } else {
                            frontend(key, value, section);
                        }
                    }
                    default -> backend(key, value, section);
                }
            } catch (UsageException e) {
                String m = e.getMessage();
                m = m.startsWith("--") ? m.substring(2) : m;
                throw new UsageException(at + ": " + (m.startsWith(key + ":") || m.startsWith(key + " ") ? m : key + ": " + m));
            }
        }
        for (String[] fb : frontendBackends) {
            if (!names.contains("backend " + fb[1])) {
                throw new UsageException(fb[2] + ": backend: no backend section named '" + fb[1] + "'");
            }
        }
        if (o.frontends.isEmpty()) {
            throw new UsageException(file + ": no frontend section");
        }
        if (o.backends.isEmpty()) {
            throw new UsageException(file + ": no backend section");
        }
        resolveDefaultBackends(o);
        checkBackendsNamed(o);
    }

    private static void global(String key, String value, Map<String, String> flags) throws UsageException {
        if (FRONTEND_KEYS.contains(key) || BACKEND_KEYS.contains(key)) {
            throw new UsageException(key + ": belongs in a " + (FRONTEND_KEYS.contains(key) ? "frontend" : "backend")
                    + " section");
        }
        if (NOT_IN_FILE.contains(key)) {
            throw new UsageException(key + ": not a global key (" + hint(key) + ")");
        }
        new GatewayOptions().set(key, value); // checks the value here, where the line is known
        flags.putIfAbsent(key, value);
    }

    private static void frontend(String key, String value, GatewayOptions s) throws UsageException {
        switch (key) {
            case "listen" -> s.listen.add(Values.address("--listen", value));
            case "priority" -> s.priorities.add(GatewayOptions.priority(value));
            case "route" -> {
                String[] words = value.trim().split("\\s+");
                if (words.length != 2) {
                    throw new UsageException("route: expected PATTERN BACKEND (PATTERN: a key, PREFIX* or *SUFFIX), got '"
                            + value + "'");
                }
                s.routes.add(KeyRoute.parse(words[0], words[1]));
            }
            default -> {
                if (!FRONTEND_KEYS.contains(key)) {
                    throw new UsageException(key + ": not a frontend key (" + hint(key) + ")");
                }
                s.set(key, value);
            }
        }
    }

    private static void backend(String key, String value, GatewayOptions s) throws UsageException {
        if (key.equals("server")) {
            String[] parts = value.split("\\s+");
            if (parts.length < 2) {
                throw new UsageException("server: expected NAME HOST:PORT [weight=N] [maxconn=N] [source=ADDR:LOW-HIGH]"
                        + " [proxy=v1|v2] [check-port=N], got '" + value + "'");
            }
            StringBuilder spec = new StringBuilder(parts[0]).append('=').append(parts[1]);
            for (int i = 2; i < parts.length; i++) {
                spec.append(',').append(parts[i]);
            }
            GatewayOptions.ServerSpec server = GatewayOptions.server(spec.toString());
            for (GatewayOptions.ServerSpec other : s.servers) {
                if (other.name().equals(server.name())) {
                    throw new UsageException("server: '" + server.name() + "' is defined twice in this backend");
                }
            }
            s.servers.add(server);
            return;
        }
        if (key.equals("server-template")) {
            s.templates.add(template(value, s));
            return;
        }
        if (!BACKEND_KEYS.contains(key)) {
            throw new UsageException(key + ": not a backend key (" + hint(key) + ")");
        }
        s.set(key, value);
    }

    /** {@code NAME [COUNT] HOST:PORT [options]}, HAProxy's order, as the flag's {@code NAME=HOST:PORT,count=N,...}. */
    private static GatewayOptions.ServerTemplate template(String value, GatewayOptions s) throws UsageException {
        String[] parts = value.split("\\s+");
        boolean counted = parts.length >= 3 && parts[1].matches("[0-9]+");
        if (parts.length < 2 || (counted && parts.length < 3)) {
            throw new UsageException("server-template: expected NAME [COUNT] HOST:PORT [weight=N] [maxconn=N]"
                    + " [source=ADDR:LOW-HIGH] [proxy=v1|v2] [check-port=N], got '" + value + "'");
        }
        int at = counted ? 2 : 1;
        StringBuilder spec = new StringBuilder(parts[0]).append('=').append(parts[at]);
        if (counted) {
            spec.append(",count=").append(parts[1]);
        }
        for (int i = at + 1; i < parts.length; i++) {
            spec.append(',').append(parts[i]);
        }
        GatewayOptions.ServerTemplate t = GatewayOptions.template(spec.toString());
        for (GatewayOptions.ServerTemplate other : s.templates) {
            if (other.prefix().equals(t.prefix())) {
                throw new UsageException("server-template: '" + t.prefix() + "' is defined twice in this backend");
            }
        }
        return t;
    }

    /** Section checks once all of its lines are read. */
    private static void close(String kind, String name, String where, GatewayOptions s, String backend,
                              String backendWhere, GatewayOptions o, List<String[]> frontendBackends)
            throws UsageException {
        if (kind.equals("frontend")) {
            if (s.listen.isEmpty()) {
                throw new UsageException(where + ": frontend '" + name + "': no listen address");
            }
            if (s.tlsCerts.isEmpty() && (!s.tlsKeys.isEmpty() || s.tlsClientCa != null)) {
                throw new UsageException(where + ": frontend '" + name + "': tls-key and tls-client-ca need tls-cert");
            }
            if (s.tlsClientCa == null && s.tlsClientAuth != null && !s.tlsClientAuth.equals("none")) {
                throw new UsageException(where + ": frontend '" + name + "': tls-client-auth needs tls-client-ca");
            }
            if (s.tlsClientIdFromCert && s.tlsClientCa == null) {
                throw new UsageException(where + ": frontend '" + name + "': tls-client-id-from-cert needs tls-client-ca");
            }
            if (backend == null) {
                backend = "\0"; // resolved below to the only backend, if there is one
            } else {
                frontendBackends.add(new String[] {name, backend, backendWhere});
            }
            o.frontends.add(new GatewayOptions.Section(name, s, backend, where));
        } else if (kind.equals("backend")) {
            if (s.servers.isEmpty() && s.templates.isEmpty()) {
                throw new UsageException(where + ": backend '" + name + "': no server or server-template line");
            }
            if (s.healthMismatch("") != null) {
                throw new UsageException(where + ": backend '" + name + "': " + s.healthMismatch(""));
            }
            if (s.serverTlsCa == null && (s.serverTlsCert != null || s.serverTlsKey != null || !s.serverTlsVerifyHost)) {
                throw new UsageException(where + ": backend '" + name
                        + "': server-tls-cert, server-tls-key and server-tls-no-verify-host need server-tls-ca");
            }
            o.backends.add(new GatewayOptions.Section(name, s, null, where));
        }
    }

    /** A frontend without a {@code backend} line uses the only backend; with several, it must say. */
    private static void resolveDefaultBackends(GatewayOptions o) {
        if (o.backends.size() != 1) {
            return;
        }
        for (int i = 0; i < o.frontends.size(); i++) {
            GatewayOptions.Section f = o.frontends.get(i);
            if (f.backend().equals("\0")) {
                o.frontends.set(i, new GatewayOptions.Section(f.name(), f.settings(), o.backends.get(0).name(), f.where()));
            }
        }
    }

    /** After the whole file: every frontend has a backend; WebSocket frontends' backends are checked as such. */
    private static void checkBackendsNamed(GatewayOptions o) throws UsageException {
        for (GatewayOptions.Section f : o.frontends) {
            if (f.backend().equals("\0")) {
                throw new UsageException(f.where() + ": frontend '" + f.name()
                        + "': no backend line, and there are several backends");
            }
            f.settings().checkWebSocket(f.where() + ": frontend '" + f.name() + "'");
            if (f.settings().webSocket || f.settings().sniPassthrough) {
                Set<String> served = new HashSet<>();
                served.add(f.backend());
                f.settings().routes.forEach(r -> served.add(r.backend()));
                for (GatewayOptions.Section b : o.backends) {
                    if (served.contains(b.name())) {
                        b.settings().brokersSpeakNoMqtt(b.where() + ": backend '" + b.name() + "' (of "
                                + (f.settings().webSocket ? "WebSocket" : "TLS passthrough") + " frontend '" + f.name() + "')");
                    }
                }
            }
        }
    }

    private static String hint(String key) {
        if (FRONTEND_KEYS.contains(key) || key.equals("listen") || key.equals("priority")) {
            return "it belongs in a frontend section";
        }
        if (BACKEND_KEYS.contains(key) || key.equals("server") || key.equals("server-template")) {
            return "it belongs in a backend section";
        }
        if (key.equals("backends") || key.equals("tls-listen")) {
            return "in a file, use server lines in a backend and listen lines in a frontend with tls-cert";
        }
        return "see conf/mqtt-gateway.conf for the keys";
    }

    private static String strip(String line) {
        int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).trim();
    }

    private static List<String> lines(Path file) throws UsageException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("--config: cannot read '" + file + "': " + e);
        }
    }
}
