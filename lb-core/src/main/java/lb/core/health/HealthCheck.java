package lb.core.health;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import lb.core.proxy.ProxyFormat;

/**
 * How a backend checks its servers: what a probe does (connect, or send bytes and judge the
 * reply) and how often, with what hysteresis. Made by {@link #tcp()}, {@link #sendExpect} or
 * {@link #http(HttpCheck)} and set up fluently; a check may go to another port than the traffic's
 * ({@link #port(int)}), as brokers often tell their readiness on a port of their own. A value: every setter returns a changed copy, so a check can be shared, and
 * a reload compares the running check with the new one by {@code equals}.
 *
 * <p>Defaults: every 2 s (every 500 ms while a server's state is changing), 1 s timeout,
 * rise 2, fall 3, ±10% jitter so many servers' checks spread out, no passive observation, no
 * slow start, tunnels kept when their server goes down, the server's own port, TLS when the
 * backend speaks TLS to its servers.
 */
public final class HealthCheck {
    private final String kind;
    private final java.util.function.Function<String, byte[]> requestFor;
    private final ByteBuffer request;
    private final ReplyMatcher matcher;
    private final ByteBuffer farewell;
    /** The HTTP check this is, or null. */
    private final HttpCheck http;
    /** The port checked on every server's address; 0: the server's own. */
    private int port;
    /** Whether checks speak TLS when the backend does. */
    private boolean tls = true;
    private Duration interval = Duration.ofSeconds(2);
    private Duration fastInterval = Duration.ofMillis(500);
    private Duration timeout = Duration.ofSeconds(1);
    private int rise = 2;
    private int fall = 3;
    private int observeFailedConnects;
    private Duration slowStart = Duration.ZERO;
    private boolean closeTunnelsOnDown;
    private ProxyFormat sendProxy;

    private HealthCheck(String kind, java.util.function.Function<String, byte[]> requestFor, ReplyMatcher matcher,
                        ByteBuffer farewell, HttpCheck http) {
        this.kind = kind;
        this.http = http;
        this.requestFor = requestFor;
        this.request = requestFor == null ? null : ByteBuffer.wrap(requestFor.apply("")).asReadOnlyBuffer();
        this.matcher = matcher;
        this.farewell = farewell;
    }

    /** A copy of this check with {@code change} made to it: published checks never change. */
    private HealthCheck with(java.util.function.Consumer<HealthCheck> change) {
        HealthCheck c = new HealthCheck(kind, requestFor, matcher, farewell, http);
        c.port = port;
        c.tls = tls;
        c.interval = interval;
        c.fastInterval = fastInterval;
        c.timeout = timeout;
        c.rise = rise;
        c.fall = fall;
        c.observeFailedConnects = observeFailedConnects;
        c.slowStart = slowStart;
        c.closeTunnelsOnDown = closeTunnelsOnDown;
        c.sendProxy = sendProxy;
        change.accept(c);
        return c;
    }

    /**
     * Two checks are equal when they probe alike: same kind, request, port, HTTP expectations and
     * timing settings. The
     * reply matcher and farewell are named by the kind (an MQTT check's matcher is made anew
     * each time), so a reload with an unchanged check keeps the running one and its state.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof HealthCheck h && kind.equals(h.kind) && Objects.equals(request, h.request)
                && Objects.equals(http, h.http) && port == h.port && tls == h.tls
                && interval.equals(h.interval) && fastInterval.equals(h.fastInterval) && timeout.equals(h.timeout)
                && rise == h.rise && fall == h.fall && observeFailedConnects == h.observeFailedConnects
                && slowStart.equals(h.slowStart) && closeTunnelsOnDown == h.closeTunnelsOnDown
                && sendProxy == h.sendProxy;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, request, http, port, tls, interval, fastInterval, timeout, rise, fall, observeFailedConnects, slowStart,
                closeTunnelsOnDown, sendProxy);
    }

    /** Passes when a TCP connection is established; closes it at once. */
    public static HealthCheck tcp() {
        return new HealthCheck("tcp", null, null, null, null);
    }

    /**
     * Sends {@code check}'s HTTP/1.1 GET and passes on its expected status (and body text, if
     * any); a failure names the status seen, or the reply as malformed. Over TLS when the
     * backend speaks TLS to its servers, as every check, unless {@link #tls(boolean)} says not.
     */
    public static HealthCheck http(HttpCheck check) {
        Objects.requireNonNull(check, "http");
        return new HealthCheck("http", serverName -> check.request(null), check, null, check);
    }

    /**
     * Connects, sends {@code request}, and passes when {@code matcher} accepts the reply; after
     * a pass, sends {@code farewell} (may be null) before closing, so the server sees a polite
     * goodbye rather than a reset.
     */
    public static HealthCheck sendExpect(String kind, byte[] request, ReplyMatcher matcher, byte[] farewell) {
        Objects.requireNonNull(request, "request");
        byte[] copy = request.clone();
        return sendExpect(kind, serverName -> copy, matcher, farewell);
    }

    /**
     * As {@link #sendExpect(String, byte[], ReplyMatcher, byte[])}, with a request made per
     * server (by name), e.g. an MQTT CONNECT whose client id differs per server so probes of
     * clustered brokers never take over each other's session.
     */
    public static HealthCheck sendExpect(String kind, java.util.function.Function<String, byte[]> requestFor,
                                         ReplyMatcher matcher, byte[] farewell) {
        Objects.requireNonNull(requestFor, "requestFor");
        Objects.requireNonNull(matcher, "matcher");
        return new HealthCheck(kind, requestFor, matcher,
                farewell == null ? null : ByteBuffer.wrap(farewell.clone()).asReadOnlyBuffer(), null);
    }

    public HealthCheck interval(Duration d) {
        return with(c -> c.interval = positive(d, "interval"));
    }

    /** The interval while a server is between up and down (some checks failed or passed). */
    public HealthCheck fastInterval(Duration d) {
        return with(c -> c.fastInterval = positive(d, "fastInterval"));
    }

    public HealthCheck timeout(Duration d) {
        return with(c -> c.timeout = positive(d, "timeout"));
    }

    /** Passes in a row that bring a down server up. */
    public HealthCheck rise(int count) {
        return with(c -> c.rise = atLeastOne(count, "rise"));
    }

    /** Failures in a row that take an up server down. */
    public HealthCheck fall(int count) {
        return with(c -> c.fall = atLeastOne(count, "fall"));
    }

    /**
     * Passive observation: marks a server down after {@code count} tunnel connects to it failed
     * in a row, without waiting for the next check; 0 (the default) turns it off.
     */
    public HealthCheck observeFailedConnects(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("health check: observeFailedConnects must be >= 0, was " + count);
        }
        return with(c -> c.observeFailedConnects = count);
    }

    /** A recovered server's weight ramps from 1 to its full weight over {@code period}. */
    public HealthCheck slowStart(Duration period) {
        Objects.requireNonNull(period, "slowStart");
        if (period.isNegative()) {
            throw new IllegalArgumentException("health check: slowStart must be >= 0, was " + period);
        }
        return with(c -> c.slowStart = period);
    }

    /** Closes a server's tunnels when it is marked down, so its clients reconnect elsewhere now. */
    public HealthCheck closeTunnelsOnDown(boolean enabled) {
        return with(c -> c.closeTunnelsOnDown = enabled);
    }

    /**
     * Sends a PROXY header (command LOCAL: "this is the balancer itself") before the check, for
     * servers that require one on every connection.
     */
    public HealthCheck sendProxy(ProxyFormat format) {
        return with(c -> c.sendProxy = Objects.requireNonNull(format, "sendProxy"));
    }

    /**
     * Checks every server on {@code checkPort} of its address instead of the port its traffic
     * goes to (HAProxy's {@code port} check option); 0 (the default) checks the server's own
     * port. A server's own check port, if set, wins.
     */
    public HealthCheck port(int checkPort) {
        if (checkPort < 0 || checkPort > 65535) {
            throw new IllegalArgumentException("health check: port must be 0..65535, was " + checkPort);
        }
        return with(c -> c.port = checkPort);
    }

    /**
     * Whether checks speak TLS to servers of a backend that does (true, the default); false
     * checks in plain text, for a readiness port without TLS beside brokers that have it
     * (HAProxy's {@code no-check-ssl}).
     */
    public HealthCheck tls(boolean overTls) {
        return with(c -> c.tls = overTls);
    }

    /** True when checks speak TLS to servers of a backend that does. */
    public boolean tls() {
        return tls;
    }

    /** The port checked on every server, or 0 for each server's own. */
    public int port() {
        return port;
    }

    /** The HTTP check this is, or null for another kind. */
    public HttpCheck http() {
        return http;
    }

    /** The PROXY header format sent before each check, or null. */
    public ProxyFormat sendProxy() {
        return sendProxy;
    }

    public String kind() {
        return kind;
    }

    /**
     * The bytes to send once connected, as made for no particular server (a fresh view each
     * call), or null for a plain connect.
     */
    public ByteBuffer request() {
        return request == null ? null : request.duplicate();
    }

    /** The bytes to send to the server called {@code serverName}, or null for a plain connect. */
    public ByteBuffer request(String serverName) {
        return requestFor == null ? null : ByteBuffer.wrap(requestFor.apply(serverName)).asReadOnlyBuffer();
    }

    /**
     * The bytes to send to the server called {@code serverName}, checked at {@code checked}
     * (an HTTP check's Host header names it unless set), or null for a plain connect.
     */
    public ByteBuffer request(String serverName, InetSocketAddress checked) {
        return http != null ? ByteBuffer.wrap(http.request(checked)).asReadOnlyBuffer() : request(serverName);
    }

    public ReplyMatcher matcher() {
        return matcher;
    }

    /** The bytes to send after a pass, or null. */
    public ByteBuffer farewell() {
        return farewell == null ? null : farewell.duplicate();
    }

    public Duration interval() {
        return interval;
    }

    public Duration fastInterval() {
        return fastInterval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    public int observeFailedConnects() {
        return observeFailedConnects;
    }

    public Duration slowStart() {
        return slowStart;
    }

    public boolean closeTunnelsOnDown() {
        return closeTunnelsOnDown;
    }

    private static Duration positive(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("health check: " + field + " must be > 0, was " + d);
        }
        return d;
    }

    private static int atLeastOne(int n, String field) {
        if (n < 1) {
            throw new IllegalArgumentException("health check: " + field + " must be >= 1, was " + n);
        }
        return n;
    }
}
