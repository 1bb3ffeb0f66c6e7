package lb.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import lb.core.balance.Balancer;
import lb.core.balance.RoundRobin;
import lb.core.config.BackendPolicy;
import lb.core.config.Rebalance;
import lb.core.config.ServerSpec;
import lb.core.health.HealthCheck;
import lb.core.model.ServerState;
import lb.core.proxy.ProxyFormat;
import lb.core.stick.StickTable;
import lb.core.tls.UpstreamTlsSettings;

/**
 * Describes one backend inside {@link LoadBalancerBuilder#backend}. Defaults: round robin,
 * no stick table, connect timeout 5 s, server timeout 10 min, 3 retries with redispatch to
 * another server on the last one, a queue of 10,000 tunnels waiting at most 10 s (higher
 * priority classes first, at most 4 in a row while a lower class waits), and 30 s for a
 * removed server's tunnels to finish.
 */
public final class BackendBuilder {
    final String name;
    final List<ServerSpec> servers = new ArrayList<>();
    Supplier<? extends Balancer> balancer = RoundRobin::new;
    StickTable stickTable;
    HealthCheck healthCheck;
    Duration connectTimeout = Duration.ofSeconds(5);
    Duration serverTimeout = Duration.ofMinutes(10);
    int retries = 3;
    boolean redispatch = true;
    int maxQueue = 10_000;
    int maxConnectRate;
    Duration queueTimeout = Duration.ofSeconds(10);
    int queuePriorityBurst = 4;
    Duration drainOnRemove = Duration.ofSeconds(30);
    UpstreamTlsSettings tls;
    Rebalance rebalanceOnAdd;

    BackendBuilder(String name) {
        this.name = name;
    }

    /** Adds a ready server of weight 1 with no connection limit. */
    public BackendBuilder server(String serverName, InetSocketAddress address) {
        return server(serverName, address, options -> { });
    }

    /** Adds a server, with {@code options} setting its weight, limit and initial state. */
    public BackendBuilder server(String serverName, InetSocketAddress address, Consumer<ServerOptions> options) {
        for (ServerSpec s : servers) {
            if (s.name().equals(serverName)) {
                throw new IllegalArgumentException(where() + "duplicate server name '" + serverName + "'");
            }
        }
        servers.add(newServer(name, serverName, address, options));
        return this;
    }

    /** Validates and makes a server; shared with run-time additions. */
    static ServerSpec newServer(String backendName, String serverName, InetSocketAddress address,
                            Consumer<ServerOptions> options) {
        String where = "backend '" + backendName + "': ";
        Objects.requireNonNull(serverName, "server name");
        if (serverName.isBlank()) {
            throw new IllegalArgumentException(where + "server name must not be blank");
        }
        Objects.requireNonNull(address, "server address");
        InetSocketAddress resolved = address.isUnresolved()
                ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException(where + "server '" + serverName + "': cannot resolve host "
                    + address.getHostString());
        }
        if (resolved.getPort() == 0) {
            throw new IllegalArgumentException(where + "server '" + serverName + "': port must be 1..65535");
        }
        ServerOptions o = new ServerOptions(where + "server '" + serverName + "': ");
        options.accept(o);
        return new ServerSpec(serverName, resolved, o.weight, o.maxConnections, o.state, o.sources, o.sendProxy,
                o.maxConnectRate, o.checkPort);
    }

    /** The algorithm, as a factory: each event loop gets its own instance. */
    public BackendBuilder balancer(Supplier<? extends Balancer> factory) {
        this.balancer = Objects.requireNonNull(factory, "balancer");
        return this;
    }

    /** Sticks routing keys to servers through {@code table} (shared by all loops). */
    public BackendBuilder stickTable(StickTable table) {
        this.stickTable = Objects.requireNonNull(table, "stickTable");
        return this;
    }

    /** Checks every server actively (see {@link HealthCheck#tcp()}); none by default. */
    public BackendBuilder healthCheck(HealthCheck check) {
        this.healthCheck = Objects.requireNonNull(check, "healthCheck");
        return this;
    }

    public BackendBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = positive(timeout, "connectTimeout");
        return this;
    }

    /** Longest silence from the server; {@link Duration#ZERO} disables it. */
    public BackendBuilder serverTimeout(Duration timeout) {
        this.serverTimeout = notNegative(timeout, "serverTimeout");
        return this;
    }

    /** Further connect attempts after the first fails. */
    public BackendBuilder retries(int count) {
        if (count < 0 || count > 100) {
            throw new IllegalArgumentException(where() + "retries must be 0..100, was " + count);
        }
        this.retries = count;
        return this;
    }

    /** Whether the last retry goes to another server (it does by default). */
    public BackendBuilder redispatch(boolean enabled) {
        this.redispatch = enabled;
        return this;
    }

    /** Tunnels that may wait when every server is full; 0 refuses them at once. */
    public BackendBuilder maxQueue(int tunnels) {
        if (tunnels < 0) {
            throw new IllegalArgumentException(where() + "maxQueue must be >= 0, was " + tunnels);
        }
        this.maxQueue = tunnels;
        return this;
    }

    public BackendBuilder queueTimeout(Duration timeout) {
        this.queueTimeout = positive(timeout, "queueTimeout");
        return this;
    }

    /**
     * The share of the queue's freed slots that lower priority classes get (classes come from
     * the frontends' {@code PriorityRule}s): while a lower class waits, at most {@code count}
     * waiters of higher classes are served in a row before one of it, so it never starves. With
     * the default 4, a lower class waiting beside a higher one gets every fifth slot.
     */
    public BackendBuilder queuePriorityBurst(int count) {
        if (count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException(where() + "queuePriorityBurst must be 1..1000000, was " + count);
        }
        this.queuePriorityBurst = count;
        return this;
    }

    /**
     * When a reconfiguration removes a server, how long its tunnels may go on before they are
     * closed. New tunnels stop going to it at once.
     */
    public BackendBuilder drainOnRemove(Duration period) {
        this.drainOnRemove = notNegative(period, "drainOnRemove");
        return this;
    }

    /**
     * Speaks TLS to the servers (re-encryption): each tunnel's server side handshakes as a
     * client, verifying the server's certificate against {@code settings}' CAs and, unless
     * turned off, that it names the host connected to. A PROXY header, if sent, goes first, in
     * the clear. A failed server handshake fails that tunnel ({@code SERVER_ERROR}, the reason
     * in its detail).
     */
    public BackendBuilder tls(UpstreamTlsSettings settings) {
        this.tls = Objects.requireNonNull(settings, "tls");
        return this;
    }

    /**
     * Sends the whole backend at most {@code perSecond} new connections a second, whichever
     * servers they go to; clients over it wait in the queue as for a server's own
     * {@link ServerOptions#maxConnectRate}. 0 (the default): no limit.
     */
    public BackendBuilder maxConnectRate(int perSecond) {
        if (perSecond < 0) {
            throw new IllegalArgumentException(where() + "maxConnectRate must be >= 0, was " + perSecond);
        }
        this.maxConnectRate = perSecond;
        return this;
    }

    /**
     * Rebalances by itself after a server is added at run time ({@link Backend#addServer}, a
     * reconfiguration, a control API): once the new server is up by its health check ({@code
     * rise} checks passed since it was added; at once without checks) and past any slow start,
     * clients move from the servers above their weighted share as {@code how} says (tolerance,
     * pace, limit), once. A server added while a rebalance runs gets one more after it, planned
     * afresh, so it covers every server added meanwhile. Off by default: clients stay where they
     * are and only new ones fill the new server.
     */
    public BackendBuilder rebalanceOnAdd(Rebalance how) {
        this.rebalanceOnAdd = Objects.requireNonNull(how, "rebalanceOnAdd");
        return this;
    }

    /** Per-server settings inside {@link #server(String, InetSocketAddress, Consumer)}. */
    public static final class ServerOptions {
        private final String where;
        int weight = 1;
        int maxConnections;
        ServerState state = ServerState.READY;
        final List<ServerSpec.SourceRange> sources = new ArrayList<>();
        ProxyFormat sendProxy;
        int maxConnectRate;
        int checkPort;

        ServerOptions(String where) {
            this.where = where;
        }

        /**
         * Connects to this server from {@code address}, using local ports {@code lowPort} to
         * {@code highPort}, which the library manages itself (reused across servers). Several
         * sources add up: each gives up to one range of concurrent tunnels to this server.
         */
        public ServerOptions source(String address, int lowPort, int highPort) {
            InetSocketAddress a = new InetSocketAddress(Objects.requireNonNull(address, "source address"), 0);
            if (a.isUnresolved()) {
                throw new IllegalArgumentException(where + "cannot resolve source address " + address);
            }
            if (lowPort < 1 || highPort > 65535 || lowPort > highPort) {
                throw new IllegalArgumentException(where + "source " + address + ": port range must be within 1..65535, was "
                        + lowPort + "-" + highPort);
            }
            sources.add(new ServerSpec.SourceRange(a.getAddress(), lowPort, highPort));
            return this;
        }

        /** 0..256; 0 keeps the server out of rotation. */
        public ServerOptions weight(int w) {
            if (w < 0 || w > 256) {
                throw new IllegalArgumentException(where + "weight must be 0..256, was " + w);
            }
            this.weight = w;
            return this;
        }

        /** 0 (the default) means no limit. */
        public ServerOptions maxConnections(int max) {
            if (max < 0) {
                throw new IllegalArgumentException(where + "maxConnections must be >= 0, was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * Sends a PROXY protocol header (v1, v2, or v2 with a CRC32C checksum) before the
         * client's bytes, so the server sees the client's real address.
         */
        public ServerOptions sendProxy(ProxyFormat format) {
            this.sendProxy = Objects.requireNonNull(format, "sendProxy");
            return this;
        }

        public ServerOptions state(ServerState s) {
            this.state = Objects.requireNonNull(s, "state");
            return this;
        }

        /**
         * Sends this server at most {@code perSecond} new connections a second (storm
         * admission), so a restarted broker is not flattened by a reconnect storm; clients over
         * the rate wait in the backend queue (within its size and timeout), those left over are
         * refused as for a full queue (for MQTT, CONNACK "server busy"). While the server warms
         * up after recovering (slow start), the rate ramps with its weight. 0 (the default): no
         * limit.
         */
        public ServerOptions maxConnectRate(int perSecond) {
            if (perSecond < 0) {
                throw new IllegalArgumentException(where + "maxConnectRate must be >= 0, was " + perSecond);
            }
            this.maxConnectRate = perSecond;
            return this;
        }

        /**
         * Health-checks this server on {@code port} of its address (a readiness endpoint of its
         * own, say) rather than where the backend's check goes; 0 (the default) leaves it to the
         * check ({@code HealthCheck.port}, else the server's port).
         */
        public ServerOptions checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(where + "checkPort must be 0..65535, was " + port);
            }
            this.checkPort = port;
            return this;
        }
    }

    /** Everything but the servers, as the value a running backend follows. */
    BackendPolicy policy() {
        return new BackendPolicy(balancer, stickTable, healthCheck, connectTimeout.toNanos(), serverTimeout.toNanos(),
                retries, redispatch, maxQueue, queueTimeout.toNanos(), queuePriorityBurst, drainOnRemove, tls,
                maxConnectRate, rebalanceOnAdd);
    }

    private String where() {
        return "backend '" + name + "': ";
    }

    private Duration positive(Duration d, String field) {
        return Checks.positive(where(), d, field);
    }

    private Duration notNegative(Duration d, String field) {
        return Checks.notNegative(where(), d, field);
    }
}
