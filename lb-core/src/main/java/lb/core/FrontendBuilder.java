package lb.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import lb.core.config.FrontendPolicy;
import lb.core.config.KeyRoute;
import lb.core.config.Network;
import lb.core.config.PriorityRule;
import lb.core.config.SourceLimits;
import lb.core.model.KeyExtractor;
import lb.core.tls.TlsSettings;

/**
 * Describes one frontend inside {@link LoadBalancerBuilder#frontend}. Defaults: no connection
 * limit of its own (the global one still applies), backlog 4096, client timeout 10 min,
 * half-close timeout 30 s, TCP keep-alive on, no key extractor, and when one is set an inspect
 * delay of 5 s and a cap of 64 KiB; no PROXY header taken, no per-source limit, every client in priority
 * class 0.
 */
public final class FrontendBuilder {
    final String name;
    final List<InetSocketAddress> listen = new ArrayList<>();
    int backlog = 4096;
    int maxConnections;
    Duration clientTimeout = Duration.ofMinutes(10);
    Duration halfCloseTimeout = Duration.ofSeconds(30);
    boolean tcpKeepAlive = true;
    KeyExtractor keyExtractor;
    Duration inspectDelay = Duration.ofSeconds(5);
    Duration tlsHandshakeTimeout = Duration.ofSeconds(60);
    final List<KeyRoute> keyRoutes = new ArrayList<>();
    int inspectMaxBytes = 64 * 1024;
    String backend;
    List<Network> trustedProxies = List.of();
    int maxKeyConnectionRate;
    TlsSettings tls;
    SourceLimits sourceLimits = SourceLimits.NONE;
    final List<PriorityRule> priorityRules = new ArrayList<>();

    FrontendBuilder(String name) {
        this.name = name;
    }

    /** Adds a listening address; port 0 binds any free port (see {@link Frontend#boundAddresses()}). */
    public FrontendBuilder listen(InetSocketAddress address) {
        Objects.requireNonNull(address, "listen address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(where() + "cannot resolve listen host " + address.getHostString());
        }
        listen.add(address);
        return this;
    }

    /** The kernel accept backlog, which holds clients while the frontend is at its limit. */
    public FrontendBuilder backlog(int size) {
        if (size < 1) {
            throw new IllegalArgumentException(where() + "backlog must be >= 1, was " + size);
        }
        this.backlog = size;
        return this;
    }

    /** Live tunnels this frontend holds at most; at the limit it stops accepting. 0 = none. */
    public FrontendBuilder maxConnections(int max) {
        if (max < 0) {
            throw new IllegalArgumentException(where() + "maxConnections must be >= 0, was " + max);
        }
        this.maxConnections = max;
        return this;
    }

    /** Longest silence from the client; {@link Duration#ZERO} disables it. */
    public FrontendBuilder clientTimeout(Duration timeout) {
        this.clientTimeout = notNegative(timeout, "clientTimeout");
        return this;
    }

    /**
     * How long a tunnel may stay silent after one side has finished sending: bytes still moving
     * the other way keep it open.
     */
    public FrontendBuilder halfCloseTimeout(Duration timeout) {
        this.halfCloseTimeout = positive(timeout, "halfCloseTimeout");
        return this;
    }

    public FrontendBuilder tcpKeepAlive(boolean enabled) {
        this.tcpKeepAlive = enabled;
        return this;
    }

    /** Inspects each client's first bytes to route (or reject) it. */
    public FrontendBuilder keyExtractor(KeyExtractor extractor) {
        this.keyExtractor = Objects.requireNonNull(extractor, "keyExtractor");
        return this;
    }

    /** How long a client may take to send what the extractor needs. */
    public FrontendBuilder inspectDelay(Duration delay) {
        this.inspectDelay = positive(delay, "inspectDelay");
        return this;
    }

    /**
     * How long a TLS client may take from its first bytes to a finished handshake, its wait for
     * a turn included (default 60 s): in a reconnect storm a loop runs a bounded number of
     * handshakes at once and the rest wait, oldest first. A client silent from the start is
     * bounded by the inspect delay; the handshake itself, once its turn came, too; the inspect
     * delay for the first bytes inside TLS counts from the finished handshake.
     */
    public FrontendBuilder tlsHandshakeTimeout(Duration timeout) {
        this.tlsHandshakeTimeout = positive(timeout, "tlsHandshakeTimeout");
        return this;
    }

    /** How many bytes the extractor may ask for before the client is refused. */
    public FrontendBuilder inspectMaxBytes(int bytes) {
        if (bytes < 1 || bytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException(where() + "inspectMaxBytes must be 1..16 MiB, was " + bytes);
        }
        this.inspectMaxBytes = bytes;
        return this;
    }

    /**
     * Expects a PROXY protocol header (v1 or v2) first on every connection, from any peer:
     * right only where no one but the L4 balancer in front can reach the port, since a header
     * lets its sender claim any address. Prefer {@link #acceptProxy(List)}, which names the
     * balancers. {@code false} takes no header (the default).
     */
    public FrontendBuilder acceptProxy(boolean enabled) {
        this.trustedProxies = enabled ? List.of(Network.ANY_IPV4, Network.ANY_IPV6) : List.of();
        return this;
    }

    /**
     * Believes PROXY protocol headers (v1 or v2) from peers in {@code trusted} networks (the L4
     * balancers in front), whose connections must start with one: the address it carries is
     * then the client's, for logs, per-source limits, source hashing and the header this
     * balancer sends on. A missing or malformed header from them closes the connection
     * ({@code PROXY_INVALID}); reading it is bounded by the inspect delay.
     *
     * <p>Peers elsewhere are served as direct clients, and a PROXY header from one of them is
     * refused ({@code PROXY_UNTRUSTED}): so their first bytes are looked at before they are
     * served, which needs a protocol where the client speaks first (MQTT's does). An empty
     * list takes no header at all.
     */
    public FrontendBuilder acceptProxy(List<Network> trusted) {
        this.trustedProxies = List.copyOf(Objects.requireNonNull(trusted, "trusted networks"));
        return this;
    }

    /**
     * Refuses a client whose key (an MQTT client id, say) connected more than {@code count}
     * times within the backend stick table's rate period: a client stuck in a reconnect loop.
     * Needs a stick table that counts connections; 0 (the default) turns the rule off.
     */
    public FrontendBuilder maxKeyConnectionRate(int count) {
        if (count < 0) {
            throw new IllegalArgumentException(where() + "maxKeyConnectionRate must be >= 0, was " + count);
        }
        this.maxKeyConnectionRate = count;
        return this;
    }

    /**
     * Terminates TLS on this frontend: clients handshake first (within the inspect delay, once
     * their loop gives them a turn: see {@link #tlsHandshakeTimeout}), and
     * everything after (PROXY header checks aside, which come before TLS) sees their decrypted
     * bytes: the key extractor, stickiness, the servers. A failed or slow handshake closes the
     * client with {@code TLS_HANDSHAKE_FAILED} or {@code TLS_HANDSHAKE_TIMEOUT}; nothing reaches
     * a server. Settings changed by a reconfiguration apply to new clients only.
     */
    public FrontendBuilder tls(TlsSettings settings) {
        this.tls = Objects.requireNonNull(settings, "tls");
        return this;
    }

    /**
     * Live connections and new connections per period allowed to one client source (an
     * address, or a block of them), counted as clients are accepted, before any byte is read:
     * see {@link SourceLimits}. A refused client is closed ({@code SOURCE_LIMITED},
     * {@code SOURCE_RATE_LIMITED}); with a key extractor that answers refusals (MQTT's CONNACK),
     * it is answered once its first bytes show what to say, if they come within a second and
     * few such answers are pending. None by default.
     */
    public FrontendBuilder sourceLimits(SourceLimits limits) {
        this.sourceLimits = Objects.requireNonNull(limits, "sourceLimits");
        return this;
    }

    /**
     * Adds a rule putting the tunnels it matches in a priority class; rules are tried in the
     * order added, the first match decides, and a client none matches is in class 0. Higher
     * classes leave a full backend's queue first (see {@link BackendBuilder#queuePriorityBurst}).
     */
    public FrontendBuilder priority(PriorityRule rule) {
        priorityRules.add(Objects.requireNonNull(rule, "priority rule"));
        return this;
    }

    /**
     * Sends tunnels whose routing key matches {@code route} to its backend instead of this
     * frontend's; routes are tried in the order given. The key is the extractor's (an MQTT
     * client id, a TLS server name from {@code SniPassthrough}).
     */
    public FrontendBuilder route(KeyRoute route) {
        keyRoutes.add(Objects.requireNonNull(route, "route"));
        return this;
    }

    /** The backend (by name) that serves this frontend's clients. */
    public FrontendBuilder backend(String backendName) {
        this.backend = Objects.requireNonNull(backendName, "backend");
        return this;
    }

    /** Everything but the addresses and the limit, as the value a running frontend follows. */
    FrontendPolicy policy() {
        return new FrontendPolicy(backend, clientTimeout.toNanos(), halfCloseTimeout.toNanos(), tcpKeepAlive, keyExtractor,
                inspectDelay.toNanos(), inspectMaxBytes, trustedProxies, maxKeyConnectionRate, sourceLimits,
                priorityRules, tls, tlsHandshakeTimeout.toNanos(), keyRoutes);
    }

    private String where() {
        return "frontend '" + name + "': ";
    }

    private Duration positive(Duration d, String field) {
        return Checks.positive(where(), d, field);
    }

    private Duration notNegative(Duration d, String field) {
        return Checks.notNegative(where(), d, field);
    }
}
