package lb.core.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;

import lb.core.LoadBalancer;

/**
 * Describes a {@link StatsEndpoint}; made by {@link StatsEndpoint#serve(LoadBalancer)}.
 * Defaults: 127.0.0.1 port {@value #DEFAULT_PORT} (loopback, so nothing is exposed by accident),
 * no authentication, the page reloading every 5 s.
 */
public final class StatsEndpointBuilder {
    /** HAProxy's customary stats port, which operators already look for. */
    public static final int DEFAULT_PORT = 8404;
    private static final String REALM = "load balancer stats";

    private final LoadBalancer loadBalancer;
    private InetSocketAddress address = new InetSocketAddress(loopback(), DEFAULT_PORT);
    private String user;
    private String password;
    private Duration refresh = Duration.ofSeconds(5);

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

    /** Binds and starts serving; throws naming the address if it cannot bind. */
    public StatsEndpoint start() {
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("stats endpoint: cannot listen on " + address + ": " + e.getMessage(), e);
        }
        // one thread: rendering takes milliseconds, and a flood of requests queues instead of multiplying threads
        ExecutorService requests = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lb-stats-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(requests);
        HttpContext context = server.createContext("/", new StatsRoutes(loadBalancer, refresh));
        if (user != null) {
            context.setAuthenticator(new BasicAuth(REALM, user, password));
        }
        server.start();
        loadBalancer.stats(); // a first sample, so the first page already has rates a second later
        return new StatsEndpoint(server, requests);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a four-byte address is always valid", e);
        }
    }
}
