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
    /** What a handshake owes the client before inspection can go on; else null. */
    private final ByteBuffer greeting;
    /** What the chosen server gets in place of the inspected bytes; else null. */
    private final ByteBuffer forwarded;
    private final ServerHandshake serverHandshake;

    private Verdict(Kind kind, String key, String reason, ByteBuffer reply) {
        this(kind, key, reason, reply, 0, null, null, null, null);
    }

    private Verdict(Kind kind, String key, String reason, ByteBuffer reply, long clientTimeoutNs, String user,
            ByteBuffer greeting, ByteBuffer forwarded, ServerHandshake serverHandshake) {
        this.kind = kind;
        this.key = key;
        this.reason = reason;
        this.reply = reply;
        this.clientTimeoutNs = clientTimeoutNs;
        this.user = user;
        this.greeting = greeting;
        this.forwarded = forwarded;
        this.serverHandshake = serverHandshake;
    }

    /**
     * This verdict, with bytes the client must get before anything else: the answer to a
     * handshake that comes before the bytes that decide (a WebSocket upgrade's {@code 101}, with
     * the routing key only in the frames after it). The engine sends a tunnel's first greeting,
     * once, as soon as a verdict carries one (before a reject's reply); later greetings are
     * ignored, so a stateless extractor may repeat it with every verdict. It must be small (a
     * fresh socket takes it whole).
     */
    public Verdict withGreeting(ByteBuffer bytes) {
        return new Verdict(kind, key, reason, reply, clientTimeoutNs, user,
                java.util.Objects.requireNonNull(bytes, "bytes"), forwarded, serverHandshake);
    }

    /**
     * This route, sending the server {@code bytes} in place of everything inspected (a request
     * with a header taken out, say). No longer than the inspected bytes: they are written over them.
     */
    public Verdict withForwarded(ByteBuffer bytes) {
        if (kind != Kind.ROUTE) {
            throw new IllegalStateException("only a route forwards bytes");
        }
        return new Verdict(kind, key, reason, reply, clientTimeoutNs, user, greeting,
                java.util.Objects.requireNonNull(bytes, "bytes"), serverHandshake);
    }

    /**
     * This route, reading the server's answer to the forwarded bytes with {@code check} before
     * anything of the server's reaches the client: the answer is dropped (the client had the
     * greeting instead), and a server that answers otherwise ends the tunnel.
     */
    public Verdict withServerHandshake(ServerHandshake check) {
        if (kind != Kind.ROUTE) {
            throw new IllegalStateException("only a route carries a server handshake");
        }
        return new Verdict(kind, key, reason, reply, clientTimeoutNs, user, greeting, forwarded,
                java.util.Objects.requireNonNull(check, "check"));
    }

    /** Bytes for the client before anything else, or null. */
    public ByteBuffer greeting() {
        return greeting;
    }

    /** Bytes for the server in place of the inspected ones, or null to forward those. */
    public ByteBuffer forwarded() {
        return forwarded;
    }

    /** The check of the server's answer to the forwarded bytes, or null. */
    public ServerHandshake serverHandshake() {
        return serverHandshake;
    }

    /**
     * This route, with the client's idle timeout set for this tunnel alone (for MQTT, 1.5 x the
     * keep-alive the client announced) instead of the frontend's.
     */
    public Verdict withClientTimeout(java.time.Duration timeout) {
        if (kind != Kind.ROUTE) {
            throw new IllegalStateException("only a route carries a client timeout");
        }
        return new Verdict(kind, key, reason, reply, timeout.toNanos(), user, greeting, forwarded, serverHandshake);
    }

    /**
     * This route, with the user name the client gave (an MQTT CONNECT's, say), for the
     * frontend's priority rules; null for none.
     */
    public Verdict withUser(String userName) {
        if (kind != Kind.ROUTE) {
            throw new IllegalStateException("only a route carries a user name");
        }
        return new Verdict(kind, key, reason, reply, clientTimeoutNs, userName, greeting, forwarded, serverHandshake);
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
