package lb.core.stats.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

import lb.core.LoadBalancer;

/**
 * Describes a {@link StatsEndpoint}; made by {@link StatsEndpoint#serve(LoadBalancer)}.
 * Defaults: 127.0.0.1 port {@value #DEFAULT_PORT} (loopback, so nothing is exposed by accident),
 * no authentication, the page reloading every 5 s, at most {@value #DEFAULT_MAX_CONNECTIONS}
 * connections, 5 s for a request head to arrive and 10 s for the answer to be taken.
 */
public final class StatsEndpointBuilder {
    /** HAProxy's customary stats port, which operators already look for. */
    public static final int DEFAULT_PORT = 8404;
    /** Room for a few scrapers and browsers at once; a flood beyond it is refused, not queued. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    private static final String REALM = "load balancer stats";

    private final LoadBalancer loadBalancer;
    private InetSocketAddress address = new InetSocketAddress(loopback(), DEFAULT_PORT);
    private String user;
    private String password;
    private Duration refresh = Duration.ofSeconds(5);
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    /** A scraper's request arrives in one packet; seconds are for people on bad networks. */
    private Duration readHeaderTimeout = Duration.ofSeconds(5);
    /** Long enough for a large page over a slow link, short enough that a non-reader leaves. */
    private Duration writeTimeout = Duration.ofSeconds(10);

    StatsEndpointBuilder(LoadBalancer loadBalancer) {
        this.loadBalancer = Objects.requireNonNull(loadBalancer, "loadBalancer");
    }

    /** Listens on {@code listen}; a wildcard address exposes the stats to the network. */
    public StatsEndpointBuilder address(InetSocketAddress listen) {
        Objects.requireNonNull(listen, "address");
        if (listen.isUnresolved()) {
            throw new IllegalArgumentException("stats endpoint: cannot resolve " + listen.getHostString());
        }
        this.address = listen;
        return this;
    }

    /** Listens on {@code port} (0: any free one) of the address set so far, loopback by default. */
    public StatsEndpointBuilder port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("stats endpoint: port must be 0..65535, was " + port);
        }
        this.address = new InetSocketAddress(address.getAddress(), port);
        return this;
    }

    /** Requires HTTP basic authentication with this user and password on every path. */
    public StatsEndpointBuilder basicAuth(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty() || user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("stats endpoint: user must be non-empty and without ':'");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("stats endpoint: password must not be empty");
        }
        this.user = user;
        this.password = password;
        return this;
    }

    /** How often the HTML page reloads itself; {@link Duration#ZERO} for never. */
    public StatsEndpointBuilder refresh(Duration every) {
        Objects.requireNonNull(every, "refresh");
        if (every.isNegative() || every.compareTo(Duration.ofHours(1)) > 0
                || (!every.isZero() && every.toSeconds() < 1)) {
            throw new IllegalArgumentException("stats endpoint: refresh must be zero or 1 s..1 h, was " + every);
        }
        this.refresh = every;
        return this;
    }

    /**
     * At most this many connections open at once; more are reset on accept and counted in
     * {@link StatsEndpoint#refusals()}, without delaying the open ones.
     */
    public StatsEndpointBuilder maxConnections(int max) {
        if (max < 1 || max > 65_536) {
            throw new IllegalArgumentException("stats endpoint: maxConnections must be 1..65536, was " + max);
        }
        this.maxConnections = max;
        return this;
    }

    /** How long a connection may take, from accept, to send its whole request head; then it is closed. */
    public StatsEndpointBuilder readHeaderTimeout(Duration timeout) {
        this.readHeaderTimeout = checkTimeout("readHeaderTimeout", timeout);
        return this;
    }

    /** How long a client may take to receive the whole answer; then the connection is closed. */
    public StatsEndpointBuilder writeTimeout(Duration timeout) {
        this.writeTimeout = checkTimeout("writeTimeout", timeout);
        return this;
    }

    /** Binds and starts serving; throws naming the address if it cannot bind. */
    public StatsEndpoint start() {
        BasicAuth auth = user == null ? null : new BasicAuth(REALM, user, password);
        StatsServer server;
        try {
            server = StatsServer.start(address, new StatsRoutes(loadBalancer, refresh, auth), maxConnections,
                    readHeaderTimeout.toNanos(), writeTimeout.toNanos());
        } catch (IOException e) {
            throw new UncheckedIOException("stats endpoint: cannot listen on " + address + ": " + e.getMessage(), e);
        }
        try {
            loadBalancer.stats(); // a first sample, so the first page already has rates a second later
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return new StatsEndpoint(server);
    }

    private static Duration checkTimeout(String name, Duration timeout) {
        Objects.requireNonNull(timeout, name);
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("stats endpoint: " + name + " must be 1 ms..1 h, was " + timeout);
        }
        return timeout;
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a four-byte address is always valid", e);
        }
    }
}
