package lb.examples.gateway;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import lb.core.LoadBalancerBuilder;
import lb.core.config.KeyRoute;
import lb.core.config.Network;
import lb.core.config.PriorityRule;
import lb.core.config.SourceLimits;
import lb.core.health.HttpCheck;

/**
 * The gateway's settings, from command-line flags and an optional properties file with the
 * same keys (flags win). Every bad flag or value is a {@link UsageException} naming it.
 */
final class GatewayOptions {
    /**
     * One upstream broker: {@code NAME=HOST:PORT[,weight=N][,maxconn=N][,source=ADDR:LO-HI][,proxy=v1|v2]
     * [,check-port=N]}; {@code checkPort} 0 leaves the port to the backend's check.
     */
    record ServerSpec(String name, InetSocketAddress address, int weight, int maxConnections,
                      List<String[]> sources, String proxy, int checkPort) {
        /** A server checked where the backend's check goes. */
        ServerSpec(String name, InetSocketAddress address, int weight, int maxConnections, List<String[]> sources,
                   String proxy) {
            this(name, address, weight, maxConnections, sources, proxy, 0);
        }
    }

    /**
     * Servers found by name: {@code NAME=HOST:PORT[,count=N][,server options]}, one server per
     * address HOST resolves to (re-resolved every {@code resolve-interval}), named
     * {@code NAME-ADDRESS}, at most {@code count} of them (0: all), each with {@code options}
     * (whose address is HOST:PORT unresolved).
     */
    record ServerTemplate(String prefix, int count, ServerSpec options) {
        String host() {
            return options.address().getHostString();
        }

        int port() {
            return options.address().getPort();
        }
    }

    /**
     * A {@code frontend NAME} or {@code backend NAME} section of a sectioned configuration file
     * ({@link ConfigFile}): its own settings, with the keys of the flags; a frontend names its
     * backend. {@code where} is FILE:LINE of the section's header, for messages.
     */
    record Section(String name, GatewayOptions settings, String backend, String where) {
    }

    boolean help;
    boolean demo;
    /** {@code --check-config FILE}: validate, describe, exit. */
    boolean checkOnly;
    /** The configuration file, if any: what a reload reads again. */
    Path configFile;
    /** Frontends and backends from a sectioned configuration file; empty with the flat forms. */
    final List<Section> frontends = new ArrayList<>();
    final List<Section> backends = new ArrayList<>();
    final List<InetSocketAddress> listen = new ArrayList<>();
    final List<ServerSpec> servers = new ArrayList<>();
    final List<ServerTemplate> templates = new ArrayList<>();
    /** How often server-template names are resolved again. */
    Duration resolveInterval = Duration.ofSeconds(10);
    /** How long a removed server's tunnels may go on before they are ended (reload, DNS). */
    Duration drainOnRemove = Duration.ofSeconds(30);
    String balancer = "leastconn";
    String stickiness = "table";
    int stickCapacity = 200_000;
    Duration stickExpire = Duration.ofMinutes(30);
    String health = "mqtt";
    /** The HTTP check's settings ({@code health http [GET] PATH}, {@code health-*}); null: unset. */
    String healthPath;
    String healthHost;
    String healthExpectStatus;
    String healthExpectBody;
    /** The port checks go to on every server; 0: each server's own. */
    int healthPort;
    /** Checks in plain text even when the brokers are spoken to over TLS (a readiness port without TLS). */
    boolean healthNoTls;
    /** The health check was named (so a WebSocket backend's default is not in force). */
    boolean healthGiven;
    Duration healthInterval = Duration.ofSeconds(2);
    int healthRise = 2;
    int healthFall = 3;
    boolean mqttInspection = true;
    boolean connackReplies = true;
    boolean acceptProxy;
    final List<Network> trustedProxies = new ArrayList<>();
    int backlog = 4096;
    int maxConnectionsPerSource;
    int maxConnectionRatePerSource;
    Duration sourceRatePeriod = Duration.ofSeconds(1);
    int sourcePrefixV4 = 24;
    int sourcePrefixV6 = 64;
    int sourceTableSize = 65_536;
    Duration sourceTableExpire = Duration.ofMinutes(1);
    final List<PriorityRule> priorities = new ArrayList<>();
    /** A frontend's key routes ({@code route PATTERN BACKEND} in its section), in order. */
    final List<KeyRoute> routes = new ArrayList<>();
    int queuePriorityBurst = 4;
    int maxConnections = -1;
    long memoryBudget;
    int frontendMaxConnections;
    Duration clientTimeout = Duration.ofMinutes(10);
    Duration serverTimeout = Duration.ofHours(2);
    Duration connectTimeout = Duration.ofSeconds(5);
    Duration inspectDelay = Duration.ofSeconds(5);
    Duration tlsHandshakeTimeout = Duration.ofSeconds(60);
    int tlsHandshakesPerLoop = 256;
    double keepAliveFactor = 1.5;
    InetSocketAddress stats = new InetSocketAddress("127.0.0.1", 1936);
    boolean statsEnabled = true;
    String statsUser;
    String statsPassword;
    int eventLoops = LoadBalancerBuilder.defaultEventLoops();
    boolean connectionLog;
    /** Every loop listens with SO_REUSEPORT, so other gateway processes can share the addresses. */
    boolean reusePort;
    Duration duration;
    int demoClients = 2_000;
    final List<InetSocketAddress> tlsListen = new ArrayList<>();
    /** Certificate files, the first the default, the others chosen by SNI; keys paired in order, or none. */
    final List<Path> tlsCerts = new ArrayList<>();
    final List<Path> tlsKeys = new ArrayList<>();
    String tlsKeyPassword;
    Path tlsClientCa;
    String tlsClientAuth;
    List<String> tlsAlpn = List.of();
    List<String> tlsProtocols = List.of();
    Duration tlsReloadInterval = Duration.ofSeconds(10);
    boolean tlsClientIdFromCert;
    Path serverTlsCa;
    Path serverTlsCert;
    Path serverTlsKey;
    boolean serverTlsVerifyHost = true;
    Duration slowStart = Duration.ZERO;
    int observeFailedConnects;
    boolean closeOnDown;
    String healthSendProxy;
    int maxQueue = -1;
    Duration queueTimeout;
    int maxKeyConnectionRate;
    Duration keyRatePeriod = Duration.ofSeconds(10);
    int maxConnectPacket;
    InetSocketAddress admin;
    String adminUser;
    String adminPassword;
    String logFormat = "text";
    Duration shutdownGrace = Duration.ofSeconds(20);
    int shutdownRate;
    boolean willOnBalancerEnd;
    int maxConnectRate;
    /** Rebalance by itself after a broker is added at run time (a reload, the admin API). */
    boolean rebalanceOnAdd;
    double rebalanceTolerance = 0.1;
    int rebalanceRate = 100;
    /** Clients' TLS passes through to brokers that terminate it, routed by the server name (SNI). */
    boolean sniPassthrough;
    /** Clients speak MQTT over WebSocket, and the brokers are their WebSocket listeners. */
    boolean webSocket;
    /** The one request path WebSocket clients may ask for; null for any. */
    String webSocketPath;

    static GatewayOptions parse(String[] args) throws UsageException {
        GatewayOptions o = new GatewayOptions();
        Map<String, String> flags = new LinkedHashMap<>();
        List<String> serverFlags = new ArrayList<>();
        List<String> templateFlags = new ArrayList<>();
        List<String> listenFlags = new ArrayList<>();
        List<String> tlsListenFlags = new ArrayList<>();
        List<String> priorityFlags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                o.help = true;
                return o;
            }
            if (a.equals("--check-config") || a.startsWith("--check-config=")) {
                o.checkOnly = true;
                a = "--config" + a.substring("--check-config".length());
            }
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "' (flags start with --; see --help)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (isSwitch(name)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("--" + name + ": missing value");
            }
            switch (name) {
                case "server" -> serverFlags.add(value);
                case "server-template" -> templateFlags.add(value);
                case "listen" -> listenFlags.add(value);
                case "tls-listen" -> tlsListenFlags.add(value);
                case "tls-cert" -> o.tlsCerts.add(Path.of(value));
                case "tls-key" -> o.tlsKeys.add(Path.of(value));
                case "priority" -> priorityFlags.add(value);
                default -> flags.put(name, value);
            }
        }
        boolean prioritiesOnCommandLine = !priorityFlags.isEmpty();
        String config = flags.remove("config");
        if (config != null && ConfigFile.isSectioned(Path.of(config))) {
            o.configFile = Path.of(config);
            if (!serverFlags.isEmpty() || !templateFlags.isEmpty() || !listenFlags.isEmpty() || !tlsListenFlags.isEmpty()
                    || flags.containsKey("backends")) {
                throw new UsageException("--server, --server-template, --backends, --listen and --tls-listen cannot be given with a "
                        + "configuration file that has frontend and backend sections: put them in the file");
            }
            ConfigFile.read(o.configFile, o, flags);
        } else if (config != null) {
            o.configFile = Path.of(config);
            Properties file = load(config);
            for (String key : file.stringPropertyNames()) {
                String v = file.getProperty(key);
                switch (key) {
                    case "server" -> { for (String s : v.split(";")) { if (!s.isBlank()) serverFlags.add(s.trim()); } }
                    case "server-template" -> { for (String s : v.split(";")) { if (!s.isBlank()) templateFlags.add(s.trim()); } }
                    case "listen" -> { for (String s : v.split(",")) { if (!s.isBlank()) listenFlags.add(s.trim()); } }
                    case "tls-listen" -> { for (String s : v.split(",")) { if (!s.isBlank()) tlsListenFlags.add(s.trim()); } }
                    case "priority" -> {
                        for (String s : v.split(";")) {
                            if (!s.isBlank() && !prioritiesOnCommandLine) {
                                priorityFlags.add(s.trim());
                            }
                        }
                    }
                    default -> flags.putIfAbsent(key, v);
                }
            }
        }
        for (String l : listenFlags) {
            o.listen.add(Values.address("--listen", l));
        }
        for (String l : tlsListenFlags) {
            o.tlsListen.add(Values.address("--tls-listen", l));
        }
        for (String s : serverFlags) {
            o.servers.add(server(s));
        }
        for (String t : templateFlags) {
            o.templates.add(template(t));
        }
        for (String p : priorityFlags) {
            o.priorities.add(priority(p));
        }
        for (Map.Entry<String, String> f : flags.entrySet()) {
            boolean givenOnCommandLine = f.getKey().equals("tls-cert") && !o.tlsCerts.isEmpty()
                    || f.getKey().equals("tls-key") && !o.tlsKeys.isEmpty();
            if (!givenOnCommandLine) { // certificates on the command line win over the file's
                o.set(f.getKey(), f.getValue());
            }
        }
        if (!o.frontends.isEmpty()) {
            o.validate();
            return o;
        }
        o.demo = o.demo || (o.servers.isEmpty() && o.templates.isEmpty() && o.listen.isEmpty());
        if (!o.demo && o.servers.isEmpty() && o.templates.isEmpty()) {
            throw new UsageException("--backends, --server or --server-template: no broker given (or run with no flags for the demo)");
        }
        if (o.listen.isEmpty()) {
            o.listen.add(new InetSocketAddress("127.0.0.1", 1883));
        }
        o.validate();
        return o;
    }

    static boolean isSwitch(String name) {
        return switch (name) {
            case "demo", "accept-proxy", "connection-log", "reuse-port", "no-stats", "no-inspection", "no-connack-replies",
                 "tls-client-id-from-cert", "server-tls-no-verify-host", "close-on-down", "will-on-balancer-end",
                 "health-no-tls", "rebalance-on-add", "websocket", "sni-passthrough" -> true;
            default -> false;
        };
    }

    void set(String name, String v) throws UsageException {
        String flag = "--" + name;
        switch (name) {
            case "demo" -> demo = Boolean.parseBoolean(v);
            case "backends" -> {
                for (String hostPort : v.split(",")) {
                    if (!hostPort.isBlank()) {
                        servers.add(new ServerSpec("broker-" + (servers.size() + 1), Values.address(flag, hostPort),
                                1, 0, List.of(), null));
                    }
                }
            }
            case "balancer" -> balancer = oneOf(flag, v, "roundrobin", "static-rr", "leastconn", "first", "random",
                    "source", "consistent", "rendezvous");
            case "stickiness" -> stickiness = oneOf(flag, v, "table", "hash", "none");
            case "stick-capacity" -> stickCapacity = Values.count(flag, v, 1, 100_000_000);
            case "stick-expire" -> stickExpire = Values.duration(flag, v);
            case "health" -> health(flag, v);
            case "health-host" -> healthHost = httpSetting(flag, v, c -> c.host(v));
            case "health-expect-status" -> healthExpectStatus = httpSetting(flag, v, c -> c.expectStatus(v));
            case "health-expect-body" -> healthExpectBody = httpSetting(flag, v, c -> c.expectBody(v));
            case "health-port" -> healthPort = Values.count(flag, v, 1, 65535);
            case "health-no-tls" -> healthNoTls = Boolean.parseBoolean(v);
            case "resolve-interval" -> resolveInterval = positive(flag, Values.duration(flag, v));
            case "drain-on-remove" -> drainOnRemove = Values.duration(flag, v);
            case "health-interval" -> healthInterval = Values.duration(flag, v);
            case "health-rise" -> healthRise = Values.count(flag, v, 1, 100);
            case "health-fall" -> healthFall = Values.count(flag, v, 1, 100);
            case "no-inspection" -> mqttInspection = !Boolean.parseBoolean(v);
            case "no-connack-replies" -> connackReplies = !Boolean.parseBoolean(v);
            case "accept-proxy" -> acceptProxy = Boolean.parseBoolean(v);
            case "trusted-proxies" -> trustedProxies.addAll(networks(flag, v));
            case "backlog" -> backlog = Values.count(flag, v, 1, 1 << 20);
            case "max-connections-per-source" -> maxConnectionsPerSource = Values.count(flag, v, 0, Integer.MAX_VALUE);
            case "max-connection-rate-per-source" -> {
                String[] countPer = v.split("/", 2);
                maxConnectionRatePerSource = Values.count(flag, countPer[0], 0, 65_535);
                if (countPer.length == 2) {
                    sourceRatePeriod = positive(flag, Values.duration(flag, countPer[1]));
                }
            }
            case "source-prefix" -> {
                String[] v4v6 = v.split(",", 2);
                if (v4v6.length != 2) {
                    throw new UsageException(flag + ": expected IPV4,IPV6 prefix lengths (like 24,64), got '"
                            + v + "'");
                }
                sourcePrefixV4 = Values.count(flag + " (IPv4)", v4v6[0], 0, 32);
                sourcePrefixV6 = Values.count(flag + " (IPv6)", v4v6[1], 0, 128);
            }
            case "source-table-size" -> sourceTableSize = Values.count(flag, v, 1, 100_000_000);
            case "source-table-expire" -> sourceTableExpire = positive(flag, Values.duration(flag, v));
            case "queue-priority-burst" -> queuePriorityBurst = Values.count(flag, v, 1, 1_000_000);
            case "max-connections" -> maxConnections = Values.count(flag, v, 0, Integer.MAX_VALUE);
            case "memory-budget" -> memoryBudget = Values.bytes(flag, v);
            case "frontend-max-connections" -> frontendMaxConnections = Values.count(flag, v, 0, Integer.MAX_VALUE);
            case "client-timeout" -> clientTimeout = Values.duration(flag, v);
            case "server-timeout" -> serverTimeout = Values.duration(flag, v);
            case "connect-timeout" -> connectTimeout = Values.duration(flag, v);
            case "inspect-delay" -> inspectDelay = Values.duration(flag, v);
            case "tls-handshake-timeout" -> tlsHandshakeTimeout = positive(flag, Values.duration(flag, v));
            case "tls-handshakes-per-loop" -> tlsHandshakesPerLoop = Values.count(flag, v, 1, 1_000_000);
            case "keepalive-factor" -> {
                try {
                    keepAliveFactor = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new UsageException(flag + ": not a number: '" + v + "'");
                }
                if (keepAliveFactor != 0 && keepAliveFactor < 1) {
                    throw new UsageException(flag + ": must be 0 (off) or at least 1, was " + v);
                }
            }
            case "stats" -> stats = Values.address(flag, v);
            case "no-stats" -> statsEnabled = !Boolean.parseBoolean(v);
            case "stats-user" -> statsUser = v;
            case "stats-password" -> statsPassword = v;
            case "event-loops" -> eventLoops = Values.count(flag, v, 1, 1024);
            case "connection-log" -> connectionLog = Boolean.parseBoolean(v);
            case "reuse-port" -> reusePort = Boolean.parseBoolean(v);
            case "duration" -> duration = Values.duration(flag, v);
            case "demo-clients" -> demoClients = Values.count(flag, v, 10, 8_000);
            // repeatable, or a comma-separated list
            case "tls-cert" -> Values.list(v).forEach(f -> tlsCerts.add(Path.of(f)));
            case "tls-key" -> Values.list(v).forEach(f -> tlsKeys.add(Path.of(f)));
            case "tls-key-password" -> tlsKeyPassword = v;
            case "tls-client-ca" -> tlsClientCa = Path.of(v);
            case "tls-client-auth" -> tlsClientAuth = oneOf(flag, v, "none", "optional", "required");
            case "tls-alpn" -> tlsAlpn = Values.list(v);
            case "tls-protocols" -> tlsProtocols = Values.list(v);
            case "tls-reload-interval" -> tlsReloadInterval = Values.duration(flag, v);
            case "tls-client-id-from-cert" -> tlsClientIdFromCert = Boolean.parseBoolean(v);
            case "server-tls-ca" -> serverTlsCa = Path.of(v);
            case "server-tls-cert" -> serverTlsCert = Path.of(v);
            case "server-tls-key" -> serverTlsKey = Path.of(v);
            case "server-tls-no-verify-host" -> serverTlsVerifyHost = !Boolean.parseBoolean(v);
            case "slow-start" -> slowStart = Values.duration(flag, v);
            case "observe-failed-connects" -> observeFailedConnects = Values.count(flag, v, 0, 1000);
            case "close-on-down" -> closeOnDown = Boolean.parseBoolean(v);
            case "health-send-proxy" -> healthSendProxy = oneOf(flag, v, "v1", "v2", "none");
            case "max-queue" -> maxQueue = Values.count(flag, v, 0, Integer.MAX_VALUE);
            case "queue-timeout" -> queueTimeout = positive(flag, Values.duration(flag, v));
            case "max-key-connection-rate" -> maxKeyConnectionRate = Values.count(flag, v, 0, 1_000_000);
            case "key-rate-period" -> keyRatePeriod = positive(flag, Values.duration(flag, v));
            case "max-connect-packet" -> maxConnectPacket = Values.count(flag, v, 0, 16 * 1024 * 1024);
            case "admin" -> admin = loopbackUnlessNamed(flag, v);
            case "admin-user" -> adminUser = v;
            case "admin-password" -> adminPassword = v;
            case "log-format" -> logFormat = oneOf(flag, v, "text", "json");
            case "shutdown-grace" -> shutdownGrace = Values.duration(flag, v);
            case "shutdown-rate" -> shutdownRate = Values.count(flag, v, 0, 1_000_000);
            case "will-on-balancer-end" -> willOnBalancerEnd = Boolean.parseBoolean(v);
            case "max-connect-rate" -> maxConnectRate = Values.count(flag, v, 0, 1_000_000);
            case "rebalance-on-add" -> rebalanceOnAdd = Boolean.parseBoolean(v);
            case "rebalance-tolerance" -> rebalanceTolerance = Values.fraction(flag, v);
            case "rebalance-rate" -> rebalanceRate = Values.count(flag, v, 1, 1_000_000);
            case "websocket" -> webSocket = Boolean.parseBoolean(v);
            case "sni-passthrough" -> sniPassthrough = Boolean.parseBoolean(v);
            case "websocket-path" -> {
                if (!v.startsWith("/")) {
                    throw new UsageException(flag + ": a request path starts with '/', got '" + v + "'");
                }
                webSocketPath = v;
            }
            default -> throw new UsageException(flag + ": unknown flag (see --help)");
        }
    }

    /** {@code mqtt}, {@code tcp}, {@code none}, or {@code http [GET] [PATH]} (path default /). */
    private void health(String flag, String v) throws UsageException {
        String[] words = v.trim().split("\\s+");
        health = oneOf(flag, words[0], "mqtt", "tcp", "http", "none");
        healthGiven = true;
        int at = 1;
        if (health.equals("http") && at < words.length && words[at].equals("GET")) {
            at++;
        }
        if (health.equals("http") && at < words.length) {
            String path = words[at++];
            healthPath = httpSetting(flag, path, c -> HttpCheck.get(path));
        }
        if (at < words.length) {
            throw new UsageException(flag + ": expected mqtt, tcp, none or http [GET] PATH, got '" + v + "'");
        }
    }

    /** Checks an HTTP check setting by making it; the library's message names what is wrong. */
    private static String httpSetting(String flag, String v,
                                      java.util.function.UnaryOperator<HttpCheck> set) throws UsageException {
        try {
            set.apply(HttpCheck.get("/"));
            return v;
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    /** The HTTP check the health keys describe (for {@code health http}). */
    HttpCheck httpCheck() {
        HttpCheck c = HttpCheck.get(healthPath == null ? "/" : healthPath);
        if (healthHost != null) {
            c = c.host(healthHost);
        }
        if (healthExpectStatus != null) {
            c = c.expectStatus(healthExpectStatus);
        }
        return healthExpectBody == null ? c : c.expectBody(healthExpectBody);
    }

    /**
     * Health keys that mean nothing with the chosen check, or null when they fit; keys are
     * written with {@code dashes} before them ("--" for flags, "" in a file).
     */
    String healthMismatch(String dashes) {
        if (!health.equals("http") && (healthHost != null || healthExpectStatus != null || healthExpectBody != null)) {
            return dashes + "health-host, " + dashes + "health-expect-status and " + dashes
                    + "health-expect-body need " + dashes + "health http";
        }
        if (health.equals("none") && healthPort != 0) {
            return dashes + "health-port needs a health check (" + dashes + "health is none)";
        }
        return null;
    }

    /** {@code PORT} (on loopback), {@code HOST:PORT}, or {@code :PORT} (all interfaces). */
    private static InetSocketAddress loopbackUnlessNamed(String flag, String v) throws UsageException {
        if (v.indexOf(':') < 0) {
            return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), Values.count(flag + " (port)", v, 0, 65535));
        }
        return Values.address(flag, v);
    }

    /** Cross-flag rules, after every flag is read. */
    private void validate() throws UsageException {
        if (healthMismatch("--") != null) {
            throw new UsageException(healthMismatch("--"));
        }
        if (admin != null && (adminUser == null || adminPassword == null || adminPassword.isEmpty())) {
            throw new UsageException("--admin needs its own credentials: --admin-user and --admin-password");
        }
        if ((statsUser == null) != (statsPassword == null)) {
            throw new UsageException("--stats-user and --stats-password go together");
        }
        if (tlsCerts.isEmpty() && (!tlsListen.isEmpty() || !tlsKeys.isEmpty() || tlsClientCa != null)) {
            throw new UsageException("--tls-listen, --tls-key and --tls-client-ca need --tls-cert");
        }
        if (tlsClientCa == null && tlsClientAuth != null && !tlsClientAuth.equals("none")) {
            throw new UsageException("--tls-client-auth " + tlsClientAuth + " needs --tls-client-ca");
        }
        if (tlsClientIdFromCert && tlsClientCa == null) {
            throw new UsageException("--tls-client-id-from-cert needs client certificates: --tls-client-ca");
        }
        if (serverTlsCa == null && (serverTlsCert != null || serverTlsKey != null || !serverTlsVerifyHost)) {
            throw new UsageException("--server-tls-cert, --server-tls-key and --server-tls-no-verify-host need --server-tls-ca");
        }
        if (!tlsKeys.isEmpty() && tlsKeys.size() != tlsCerts.size()) {
            throw new UsageException("--tls-key: " + tlsKeys.size() + " keys for " + tlsCerts.size()
                    + " certificates; give one per --tls-cert, in the same order, or none (keys in the certificate files)");
        }
        if (shutdownGrace.toMillis() < 1) {
            throw new UsageException("--shutdown-grace: must be at least 1ms, was " + shutdownGrace);
        }
        checkWebSocket("--websocket");
        if (webSocket || sniPassthrough) {
            brokersSpeakNoMqtt("--health");
        }
        if (!tlsCerts.isEmpty() && tlsListen.isEmpty()) {
            tlsListen.add(new InetSocketAddress("127.0.0.1", 8883));
        }
    }

    /** A WebSocket frontend's own rules; {@code where} names it in the message. */
    void checkWebSocket(String where) throws UsageException {
        if (webSocketPath != null && !webSocket) {
            throw new UsageException(where + ": websocket-path needs websocket");
        }
        if (webSocket && !mqttInspection) {
            throw new UsageException(where + ": websocket reads the CONNECT inside the frames; without inspection"
                    + " WebSocket passes through as TCP: drop websocket, or no-inspection");
        }
        if (sniPassthrough && (webSocket || !tlsCerts.isEmpty())) {
            throw new UsageException(where + ": sni-passthrough leaves TLS to the brokers and reads only the server"
                    + " name: drop " + (webSocket ? "websocket" : "tls-cert") + ", or sni-passthrough");
        }
    }

    /**
     * These backend settings serve WebSocket or TLS-passthrough clients: such brokers' ports
     * cannot be checked with MQTT over TCP, so health is a TCP connect unless named, and never mqtt.
     */
    void brokersSpeakNoMqtt(String where) throws UsageException {
        if (!health.equals("mqtt")) {
            return;
        }
        if (healthGiven) {
            throw new UsageException(where + ": health mqtt speaks MQTT over TCP, and these brokers listen for"
                    + " WebSocket or TLS: use health tcp, http (a readiness endpoint) or none");
        }
        health = "tcp";
    }

    /** The settings of the frontend or backend section called {@code name}; these options when there are no sections. */
    GatewayOptions settingsOf(String name, boolean frontend) {
        for (Section s : frontend ? frontends : backends) {
            if (s.name().equals(name)) {
                return s.settings();
            }
        }
        return this;
    }

    /** The per-source limits the flags describe (none unless a limit is set). */
    SourceLimits sourceLimits() {
        return SourceLimits.perSource().maxConnections(maxConnectionsPerSource)
                .maxConnectionRate(maxConnectionRatePerSource, sourceRatePeriod)
                .prefixes(sourcePrefixV4, sourcePrefixV6).table(sourceTableSize, sourceTableExpire);
    }

    /** {@code CIDR,CIDR,...}: address literals, never names to look up. */
    private static List<Network> networks(String flag, String v) throws UsageException {
        List<Network> out = new ArrayList<>();
        for (String n : v.split(",")) {
            if (!n.isBlank()) {
                try {
                    out.add(Network.parse(n));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(flag + ": " + e.getMessage());
                }
            }
        }
        if (out.isEmpty()) {
            throw new UsageException(flag + ": expected networks like 10.0.0.0/8,2001:db8::/32, got '" + v + "'");
        }
        return out;
    }

    /** {@code LEVEL:key=REGEX}, {@code LEVEL:user=REGEX} or {@code LEVEL:net=CIDR[,CIDR...]}. */
    static PriorityRule priority(String spec) throws UsageException {
        String flag = "--priority";
        int colon = spec.indexOf(':');
        int eq = spec.indexOf('=', Math.max(colon, 0));
        if (colon <= 0 || eq < 0) {
            throw new UsageException(flag + ": expected LEVEL:key=REGEX, LEVEL:user=REGEX, LEVEL:net=CIDR,... or "
                    + "LEVEL:cert=REGEX, got '"
                    + spec + "'");
        }
        int level = Values.count(flag + " (level)", spec.substring(0, colon), 1, PriorityRule.MAX_PRIORITY);
        String kind = spec.substring(colon + 1, eq);
        String value = spec.substring(eq + 1);
        try {
            PriorityRule rule = PriorityRule.priority(level);
            return switch (kind) {
                case "key" -> rule.keyMatching(value);
                case "user" -> rule.userMatching(value);
                case "net" -> rule.from(networks(flag, value));
                case "cert" -> rule.certificateMatching(value);
                default -> throw new UsageException(flag + ": '" + kind + "' is not one of key, user, net, cert");
            };
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    private static Duration positive(String flag, Duration d) throws UsageException {
        if (d.isZero() || d.isNegative()) {
            throw new UsageException(flag + ": must be longer than 0, was " + d);
        }
        return d;
    }

    private static String oneOf(String flag, String value, String... allowed) throws UsageException {
        for (String a : allowed) {
            if (a.equals(value)) {
                return a;
            }
        }
        throw new UsageException(flag + ": '" + value + "' is not one of " + String.join(", ", allowed));
    }

    /**
     * {@code NAME=HOST:PORT[,count=N][,server options]}: the host is not looked up here, so a
     * name that does not resolve yet is no error (it is resolved when the servers are made).
     */
    static ServerTemplate template(String spec) throws UsageException {
        String flag = "--server-template";
        int count = 0;
        StringBuilder rest = new StringBuilder();
        for (String part : spec.split(",")) {
            if (part.startsWith("count=")) {
                count = Values.count(flag + " count", part.substring("count=".length()), 1, 1024);
            } else {
                rest.append(rest.length() == 0 ? "" : ",").append(part);
            }
        }
        ServerSpec options = server(flag, rest.toString(), false);
        if (!options.name().matches("[A-Za-z0-9_.-]+")) {
            throw new UsageException(flag + ": the name must be letters, digits, . _ -, was '" + options.name() + "'");
        }
        if (options.address().getHostString().isEmpty() || options.address().getPort() == 0) {
            throw new UsageException(flag + " " + options.name() + ": expected HOST:PORT with a host name and a port");
        }
        return new ServerTemplate(options.name(), count, options);
    }

    /** {@code NAME=HOST:PORT[,weight=N][,maxconn=N][,source=ADDR:LO-HI][,proxy=v1|v2][,check-port=N]}. */
    static ServerSpec server(String spec) throws UsageException {
        return server("--server", spec, true);
    }

    private static ServerSpec server(String flag, String spec, boolean resolve) throws UsageException {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new UsageException(flag + ": expected NAME=HOST:PORT[,option=value...], got '" + spec + "'");
        }
        String name = spec.substring(0, eq);
        String[] parts = spec.substring(eq + 1).split(",");
        InetSocketAddress address = resolve ? Values.address(flag + " " + name, parts[0])
                : Values.unresolved(flag + " " + name, parts[0]);
        int weight = 1;
        int maxConnections = 0;
        List<String[]> sources = new ArrayList<>();
        String proxy = null;
        int checkPort = 0;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new UsageException(flag + " " + name + ": expected option=value, got '" + parts[i] + "'");
            }
            String what = flag + " " + name + " " + kv[0];
            switch (kv[0]) {
                case "weight" -> weight = Values.count(what, kv[1], 0, 256);
                case "maxconn" -> maxConnections = Values.count(what, kv[1], 0, Integer.MAX_VALUE);
                case "source" -> {
                    String[] addrRange = kv[1].split(":");
                    String[] range = addrRange.length == 2 ? addrRange[1].split("-") : new String[0];
                    if (range.length != 2) {
                        throw new UsageException(what + ": expected ADDRESS:LOW-HIGH, got '" + kv[1] + "'");
                    }
                    Values.count(what + " (low port)", range[0], 1, 65535);
                    Values.count(what + " (high port)", range[1], 1, 65535);
                    sources.add(new String[] {addrRange[0], range[0], range[1]});
                }
                case "proxy" -> proxy = oneOf(what, kv[1], "v1", "v2");
                case "check-port" -> checkPort = Values.count(what, kv[1], 1, 65535);
                default -> throw new UsageException(flag + " " + name + ": unknown option '" + kv[0] + "'");
            }
        }
        return new ServerSpec(name, address, weight, maxConnections, List.copyOf(sources), proxy, checkPort);
    }

    private static Properties load(String file) throws UsageException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file))) {
            p.load(r);
        } catch (IOException e) {
            throw new UsageException("--config: cannot read '" + file + "': " + e.getMessage());
        }
        return p;
    }
}
