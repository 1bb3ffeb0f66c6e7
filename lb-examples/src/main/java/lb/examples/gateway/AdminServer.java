package lb.examples.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import lb.core.Backend;
import lb.core.LoadBalancer;
import lb.core.config.Rebalance;
import lb.core.model.Server;
import lb.core.model.ServerState;
import lb.core.stats.RebalanceStats;

/**
 * The admin endpoint: JSON over HTTP to list servers and change them while the gateway runs
 * (weight, state, forced health, add, remove with drain) and to reload the configuration.
 * Off unless {@code --admin} is given; loopback unless an address is named; its own
 * credentials (HTTP basic). Runs on one thread of its own, never on a loop; every change is
 * logged with the user and the peer address that made it.
 *
 * <pre>
 * GET    /servers                          every backend's servers: state, weight, health, tunnels
 * GET    /backends/B/servers/S             one server
 * POST   /backends/B/servers/S  weight=N  state=ready|drain|maintenance  health=up|down
 * PUT    /backends/B/servers/S  address=HOST:PORT [weight=N] [maxconn=N]    adds it (201)
 * DELETE /backends/B/servers/S  [drain=DURATION, default 30s]                removes it, draining (202)
 * POST   /reload                                                            re-reads the configuration
 * POST   /backends/B/rebalance  [tolerance=F] [rate=N]                      moves clients to even out
 *                                (defaults: the backend's rebalance-*)      (202 while moving, 200 if done)
 * </pre>
 *
 * Parameters come in the query string or a form-encoded body. 401 without the credentials,
 * 404 for an unknown path, backend or server, 405 for a method a path does not take, 400 with
 * the reason for a bad value, 409 when adding a server that exists.
 */
final class AdminServer implements AutoCloseable {
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    private final LoadBalancer lb;
    private final ConfigReloader reloader;
    private final PrintStream log;
    private final HttpServer http;
    private final ExecutorService thread;

    private AdminServer(LoadBalancer lb, ConfigReloader reloader, PrintStream log, HttpServer http) {
        this.lb = lb;
        this.reloader = reloader;
        this.log = log;
        this.http = http;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mqtt-gateway-admin");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(thread);
        http.createContext("/", this::handle);
    }

    /** Serves the endpoint when {@code --admin} is set; a busy port is said on {@code log}. */
    static AutoCloseable start(LoadBalancer lb, ConfigReloader reloader, GatewayOptions o, PrintStream log) {
        if (o.admin == null) {
            return () -> { };
        }
        try {
            AdminServer s = new AdminServer(lb, reloader, log, HttpServer.create(o.admin, 16));
            s.http.start();
            log.println(Log.line("admin_listening", "admin endpoint on " + s.address()));
            return s;
        } catch (IOException e) {
            log.println(Log.line("admin_not_served", "admin endpoint not served on " + o.admin + ": " + e));
            return () -> { };
        }
    }

    InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String user = authenticated(x);
            if (user == null) {
                x.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"mqtt-gateway admin\"");
                reply(x, 401, error("credentials required"));
                return;
            }
            Map<String, String> params = params(x);
            String who = user + "@" + x.getRemoteAddress().getAddress().getHostAddress();
            String[] p = x.getRequestURI().getPath().replaceAll("/+$", "").split("/");
            String method = x.getRequestMethod();
            if (p.length == 2 && p[1].equals("servers")) {
                if (allow(x, method, "GET")) {
                    reply(x, 200, servers());
                }
            } else if (p.length == 2 && p[1].equals("reload")) {
                if (allow(x, method, "POST")) {
                    ConfigReloader.Outcome o = reloader.reload("admin " + who);
                    reply(x, o.accepted() ? 200 : 400, o.json());
                }
            } else if (p.length == 4 && p[1].equals("backends") && p[3].equals("rebalance")) {
                if (allow(x, method, "POST")) {
                    rebalance(x, p[2], params, who);
                }
            } else if (p.length == 5 && p[1].equals("backends") && p[3].equals("servers")) {
                server(x, method, p[2], p[4], params, who);
            } else {
                reply(x, 404, error("no such path: " + x.getRequestURI().getPath()));
            }
        } catch (RuntimeException e) {
            reply(x, 500, error(e.toString()));
        }
    }

    private void server(HttpExchange x, String method, String backendName, String name, Map<String, String> params,
                        String who) throws IOException {
        Backend backend = backend(backendName);
        if (backend == null) {
            reply(x, 404, error("no backend '" + backendName + "'"));
            return;
        }
        Server s = backend.server(name);
        switch (method) {
            case "GET" -> {
                if (s == null) {
                    reply(x, 404, error("no server '" + name + "' in backend '" + backendName + "'"));
                } else {
                    reply(x, 200, json(s));
                }
            }
            case "POST" -> {
                if (s == null) {
                    reply(x, 404, error("no server '" + name + "' in backend '" + backendName + "'"));
                    return;
                }
                change(x, backend, s, params, who);
            }
            case "PUT" -> add(x, backend, s, name, params, who);
            case "DELETE" -> {
                if (s == null) {
                    reply(x, 404, error("no server '" + name + "' in backend '" + backendName + "'"));
                    return;
                }
                Duration drain = DEFAULT_DRAIN;
                if (params.containsKey("drain")) {
                    try {
                        drain = Values.duration("drain", params.get("drain"));
                    } catch (UsageException e) {
                        reply(x, 400, error(e.getMessage()));
                        return;
                    }
                }
                backend.removeServer(name, drain);
                changed(who, backendName + "/" + name + ": removed, draining for up to " + drain);
                reply(x, 202, json(s));
            }
            default -> {
                x.getResponseHeaders().set("Allow", "GET, POST, PUT, DELETE");
                reply(x, 405, error("method " + method + " not allowed"));
            }
        }
    }

    /** Starts a rebalance (or joins the one running) and answers its plan and progress. */
    private void rebalance(HttpExchange x, String backendName, Map<String, String> params, String who) throws IOException {
        Backend backend = backend(backendName);
        if (backend == null) {
            reply(x, 404, error("no backend '" + backendName + "'"));
            return;
        }
        Rebalance how;
        try {
            GatewayOptions configured = reloader.current().settingsOf(backendName, false);
            double tolerance = configured.rebalanceTolerance;
            int rate = configured.rebalanceRate;
            for (Map.Entry<String, String> e : params.entrySet()) {
                switch (e.getKey()) {
                    case "tolerance" -> tolerance = Values.fraction("tolerance", e.getValue());
                    case "rate" -> rate = Values.count("rate", e.getValue(), 1, 1_000_000);
                    default -> throw new UsageException("unknown parameter '" + e.getKey() + "' (tolerance, rate)");
                }
            }
            how = Rebalance.of(tolerance, rate);
        } catch (UsageException e) {
            reply(x, 400, error(e.getMessage()));
            return;
        }
        java.util.concurrent.CompletableFuture<RebalanceStats> running = backend.rebalance(how);
        RebalanceStats now = running.isDone() ? running.join() : lb.stats().backend(backendName).rebalance();
        changed(who, backendName + ": rebalance, " + now.planned() + " clients to move at " + now.clientsPerSecond() + "/s");
        reply(x, running.isDone() ? 200 : 202, json(now));
    }

    private static String json(RebalanceStats r) {
        return "{\"running\":" + r.running() + ",\"planned\":" + r.planned() + ",\"moved\":" + r.moved()
                + ",\"clientsPerSecond\":" + r.clientsPerSecond() + ",\"from\":" + counts(r.from())
                + ",\"to\":" + counts(r.to()) + ",\"cause\":" + Json.string(r.cause()) + "}";
    }

    private static String counts(Map<String, Integer> byServer) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(byServer).entrySet()) {
            b.append(b.length() > 1 ? "," : "").append(Json.string(e.getKey())).append(':').append(e.getValue());
        }
        return b.append('}').toString();
    }

    private void change(HttpExchange x, Backend backend, Server s, Map<String, String> params, String who)
            throws IOException {
        Integer weight = null;
        ServerState state = null;
        Boolean up = null;
        try {
            for (Map.Entry<String, String> e : params.entrySet()) {
                switch (e.getKey()) {
                    case "weight" -> weight = Values.count("weight", e.getValue(), 0, 256);
                    case "state" -> state = switch (e.getValue().toLowerCase(Locale.ROOT)) {
                        case "ready" -> ServerState.READY;
                        case "drain" -> ServerState.DRAIN;
                        case "maintenance", "maint" -> ServerState.MAINTENANCE;
                        default -> throw new UsageException("state: '" + e.getValue() + "' is not one of ready, drain, maintenance");
                    };
                    case "health" -> up = switch (e.getValue().toLowerCase(Locale.ROOT)) {
                        case "up" -> Boolean.TRUE;
                        case "down" -> Boolean.FALSE;
                        default -> throw new UsageException("health: '" + e.getValue() + "' is not one of up, down");
                    };
                    default -> throw new UsageException("unknown parameter '" + e.getKey() + "' (weight, state, health)");
                }
            }
        } catch (UsageException e) {
            reply(x, 400, error(e.getMessage()));
            return;
        }
        if (weight == null && state == null && up == null) {
            reply(x, 400, error("nothing to change: give weight, state or health"));
            return;
        }
        String where = backend.name() + "/" + s.name() + ": ";
        if (weight != null) {
            int was = s.configuredWeight();
            s.weight(weight);
            changed(who, where + "weight " + was + " -> " + weight);
        }
        if (state != null) {
            ServerState was = s.state();
            s.state(state);
            changed(who, where + "state " + was + " -> " + state);
        }
        if (up != null) {
            backend.forceHealth(s, up, "forced by " + who);
            changed(who, where + "health forced " + (up ? "up" : "down"));
        }
        reply(x, 200, json(s));
    }

    private void add(HttpExchange x, Backend backend, Server existing, String name, Map<String, String> params,
                     String who) throws IOException {
        if (existing != null && !existing.isBeingRemoved()) {
            reply(x, 409, error("server '" + name + "' exists in backend '" + backend.name() + "'"));
            return;
        }
        InetSocketAddress address;
        int weight;
        int maxconn;
        try {
            if (!params.containsKey("address")) {
                throw new UsageException("address: missing (HOST:PORT)");
            }
            address = Values.address("address", params.get("address"));
            weight = params.containsKey("weight") ? Values.count("weight", params.get("weight"), 0, 256) : 1;
            maxconn = params.containsKey("maxconn")
                    ? Values.count("maxconn", params.get("maxconn"), 0, Integer.MAX_VALUE) : 0;
        } catch (UsageException e) {
            reply(x, 400, error(e.getMessage()));
            return;
        }
        Server s;
        try {
            s = backend.addServer(name, address, so -> so.weight(weight).maxConnections(maxconn));
        } catch (IllegalArgumentException | IllegalStateException e) {
            reply(x, 400, error(e.getMessage()));
            return;
        }
        changed(who, backend.name() + "/" + name + ": added at " + address.getHostString() + ":" + address.getPort()
                + " weight " + weight + " maxconn " + maxconn);
        reply(x, 201, json(s));
    }

    private Backend backend(String name) {
        for (Backend b : lb.backends()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    private void changed(String who, String what) {
        log.println(Log.line("admin_change", "by " + who + ": " + what));
    }

    private String servers() {
        StringBuilder b = new StringBuilder("{\"backends\":[");
        List<Backend> backends = lb.backends();
        for (int i = 0; i < backends.size(); i++) {
            Backend be = backends.get(i);
            b.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.string(be.name())).append(",\"servers\":[");
            List<Server> servers = be.servers();
            for (int j = 0; j < servers.size(); j++) {
                b.append(j == 0 ? "" : ",").append(json(servers.get(j)));
            }
            b.append("]}");
        }
        return b.append("]}").toString();
    }

    private static String json(Server s) {
        return "{\"name\":" + Json.string(s.name()) + ",\"backend\":" + Json.string(s.backendName())
                + ",\"address\":" + Json.string(s.address().getHostString() + ":" + s.address().getPort())
                + ",\"state\":" + Json.string(s.state().name().toLowerCase(Locale.ROOT))
                + ",\"weight\":" + s.configuredWeight() + ",\"effectiveWeight\":" + s.weight()
                + ",\"maxconn\":" + s.maxConnections() + ",\"up\":" + s.isUp()
                + ",\"healthReason\":" + Json.string(s.healthReason()) + ",\"connections\":" + s.connections()
                + ",\"removing\":" + s.isBeingRemoved() + "}";
    }

    private static String error(String reason) {
        return "{\"error\":" + Json.string(reason) + "}";
    }

    private static boolean allow(HttpExchange x, String method, String allowed) throws IOException {
        if (method.equals(allowed)) {
            return true;
        }
        x.getResponseHeaders().set("Allow", allowed);
        reply(x, 405, error("method " + method + " not allowed (" + allowed + ")"));
        return false;
    }

    /** The user name when the request carries the current admin credentials, else null. */
    private String authenticated(HttpExchange x) {
        GatewayOptions o = reloader.current();
        String header = x.getRequestHeaders().getFirst("Authorization");
        if (o.adminUser == null || header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String given;
        try {
            given = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] expected = (o.adminUser + ":" + o.adminPassword).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8)) ? o.adminUser : null;
    }

    private static Map<String, String> params(HttpExchange x) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        parse(x.getRequestURI().getRawQuery(), out);
        try (InputStream in = x.getRequestBody()) {
            byte[] body = in.readNBytes(64 * 1024);
            String type = x.getRequestHeaders().getFirst("Content-Type");
            if (body.length > 0 && (type == null || type.startsWith("application/x-www-form-urlencoded"))) {
                parse(new String(body, StandardCharsets.UTF_8).trim(), out);
            }
        }
        return out;
    }

    private static void parse(String form, Map<String, String> out) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!k.isEmpty()) {
                out.put(k, v);
            }
        }
    }

    private static void reply(HttpExchange x, int status, String json) throws IOException {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        thread.shutdownNow();
    }
}
