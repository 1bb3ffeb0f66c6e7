package lb.core.model;

import java.nio.ByteBuffer;

/** A {@link KeyExtractor}'s answer about a client's first bytes. */
public final class Verdict {
    public enum Kind { NEED_MORE, ROUTE, REJECT }

    /** Not enough bytes yet: read more (within the inspect delay and byte cap). */
    public static final Verdict NEED_MORE = new Verdict(Kind.NEED_MORE, null, null, null);
    /** Route with no key: the balancer picks by the client's address. */
    public static final Verdict ROUTE_WITHOUT_KEY = new Verdict(Kind.ROUTE, null, null, null);

    private final Kind kind;
    private final String key;
    private final String reason;
    private final ByteBuffer reply;
    private final long clientTimeoutNs;
    private final String user;

    private Verdict(Kind kind, String key, String reason, ByteBuffer reply) {
        this(kind, key, reason, reply, 0, null);
    }

    private Verdict(Kind kind, String key, String reason, ByteBuffer reply, long clientTimeoutNs, String user) {
        this.kind = kind;
        this.key = key;
        this.reason = reason;
        this.reply = reply;
        this.clientTimeoutNs = clientTimeoutNs;
        this.user = user;
    }

    /**
     * This route, with the client's idle timeout set for this tunnel alone (for MQTT, 1.5 x the
     * keep-alive the client announced) instead of the frontend's.
     */
    public Verdict withClientTimeout(java.time.Duration timeout) {
        if (kind != Kind.ROUTE) {
            throw new IllegalStateException("only a route carries a client timeout");
        }
        return new Verdict(kind, key, reason, reply, timeout.toNanos(), user);
    }

    /**
     * This route, with the user name the client gave (an MQTT CONNECT's, say), for the
     * frontend's priority rules; null for none.
     */
    public Verdict withUser(String userName) {
        if (kind != Kind.ROUTE) {
            throw new IllegalStateException("only a route carries a user name");
        }
        return new Verdict(kind, key, reason, reply, clientTimeoutNs, userName);
    }

    /** The user name the client gave, or null. */
    public String user() {
        return user;
    }

    /** The client timeout for this tunnel, or 0 for the frontend's. */
    public long clientTimeoutNs() {
        return clientTimeoutNs;
    }

    /** Route by {@code key} (sticky and key-hash balancing); null or empty means no key. */
    public static Verdict route(String key) {
        return key == null || key.isEmpty() ? ROUTE_WITHOUT_KEY : new Verdict(Kind.ROUTE, key, null, null);
    }

    /**
     * Close the client without reaching any server. {@code reason} names the rule broken (it
     * goes to the tunnel event); {@code reply}, if not null, is sent to the client first.
     */
    public static Verdict reject(String reason, ByteBuffer reply) {
        return new Verdict(Kind.REJECT, null, java.util.Objects.requireNonNull(reason, "reason"), reply);
    }

    public Kind kind() {
        return kind;
    }

    /** The routing key, or null. */
    public String key() {
        return key;
    }

    /** Why the client was rejected, or null. */
    public String reason() {
        return reason;
    }

    /** Bytes for the client before a reject, or null. */
    public ByteBuffer reply() {
        return reply;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NEED_MORE -> "NEED_MORE";
            case ROUTE -> key == null ? "ROUTE" : "ROUTE(" + key + ")";
            case REJECT -> "REJECT(" + reason + ")";
        };
    }
}
