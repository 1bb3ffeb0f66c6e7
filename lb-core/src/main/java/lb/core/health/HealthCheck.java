package lb.core.health;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import lb.core.proxy.ProxyFormat;

/**
 * How a backend checks its servers: what a probe does (connect, or send bytes and judge the
 * reply) and how often, with what hysteresis. Made by {@link #tcp()} or {@link #sendExpect};
 * set it up fluently, then hand it to the backend builder, which copies nothing: don't change
 * it after {@code build()}.
 *
 * <p>Defaults: every 2 s (every 500 ms while a server's state is changing), 1 s timeout,
 * rise 2, fall 3, ±10% jitter so many servers' checks spread out, no passive observation, no
 * slow start, tunnels kept when their server goes down.
 */
public final class HealthCheck {
    private final String kind;
    private final java.util.function.Function<String, byte[]> requestFor;
    private final ByteBuffer request;
    private final ReplyMatcher matcher;
    private final ByteBuffer farewell;
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
                        ByteBuffer farewell) {
        this.kind = kind;
        this.requestFor = requestFor;
        this.request = requestFor == null ? null : ByteBuffer.wrap(requestFor.apply("")).asReadOnlyBuffer();
        this.matcher = matcher;
        this.farewell = farewell;
    }

    /** Passes when a TCP connection is established; closes it at once. */
    public static HealthCheck tcp() {
        return new HealthCheck("tcp", null, null, null);
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
                farewell == null ? null : ByteBuffer.wrap(farewell.clone()).asReadOnlyBuffer());
    }

    public HealthCheck interval(Duration d) {
        this.interval = positive(d, "interval");
        return this;
    }

    /** The interval while a server is between up and down (some checks failed or passed). */
    public HealthCheck fastInterval(Duration d) {
        this.fastInterval = positive(d, "fastInterval");
        return this;
    }

    public HealthCheck timeout(Duration d) {
        this.timeout = positive(d, "timeout");
        return this;
    }

    /** Passes in a row that bring a down server up. */
    public HealthCheck rise(int count) {
        this.rise = atLeastOne(count, "rise");
        return this;
    }

    /** Failures in a row that take an up server down. */
    public HealthCheck fall(int count) {
        this.fall = atLeastOne(count, "fall");
        return this;
    }

    /**
     * Passive observation: marks a server down after {@code count} tunnel connects to it failed
     * in a row, without waiting for the next check; 0 (the default) turns it off.
     */
    public HealthCheck observeFailedConnects(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("health check: observeFailedConnects must be >= 0, was " + count);
        }
        this.observeFailedConnects = count;
        return this;
    }

    /** A recovered server's weight ramps from 1 to its full weight over {@code period}. */
    public HealthCheck slowStart(Duration period) {
        Objects.requireNonNull(period, "slowStart");
        if (period.isNegative()) {
            throw new IllegalArgumentException("health check: slowStart must be >= 0, was " + period);
        }
        this.slowStart = period;
        return this;
    }

    /** Closes a server's tunnels when it is marked down, so its clients reconnect elsewhere now. */
    public HealthCheck closeTunnelsOnDown(boolean enabled) {
        this.closeTunnelsOnDown = enabled;
        return this;
    }

    /**
     * Sends a PROXY header (command LOCAL: "this is the balancer itself") before the check, for
     * servers that require one on every connection.
     */
    public HealthCheck sendProxy(ProxyFormat format) {
        this.sendProxy = Objects.requireNonNull(format, "sendProxy");
        return this;
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
