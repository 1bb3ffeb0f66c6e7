package lb.core.model;

import java.util.Locale;

/**
 * Why a client was refused service, grouped so an operator knows what to do about it: add
 * capacity (limit), look at slow clients (timeout), at what clients send (inspector), at clients
 * or sources that connect too often or too much (rule), or at the servers (no server, connect).
 * Tunnels that reached a server are not rejects.
 */
public enum RejectReason {
    /** Every server was full (the queue was full, or the wait in it ran out), or the memory budget was spent. */
    LIMIT,
    /** The client did not send what the inspector needs in time. */
    TIMEOUT,
    /** The first bytes were refused: the key extractor said no, too many bytes, a bad or untrusted PROXY header, a failed TLS handshake. */
    INSPECTOR,
    /**
     * A rule on the key or the source refused it: it reconnected more often than the key rate limit
     * allows, or its source had too many connections, or made them too fast.
     */
    RULE,
    /** No server of the backend was usable (down, draining, in maintenance, weight 0). */
    NO_SERVER,
    /**
     * Connecting to the servers failed on every attempt, or the server refused the handshake
     * forwarded to it.
     */
    CONNECT;

    /** The group of {@code termination}, or null when it is not a reject. */
    public static RejectReason of(Termination termination) {
        // a switch without default: a new Termination does not compile until it is placed here
        return switch (termination) {
            case QUEUE_FULL, QUEUE_TIMEOUT, MEMORY_EXHAUSTED -> LIMIT;
            case INSPECT_TIMEOUT, TLS_HANDSHAKE_TIMEOUT -> TIMEOUT;
            case INSPECT_REJECTED, INSPECT_TOO_LARGE, PROXY_INVALID, PROXY_UNTRUSTED, TLS_HANDSHAKE_FAILED -> INSPECTOR;
            case KEY_RATE_LIMITED, SOURCE_LIMITED, SOURCE_RATE_LIMITED -> RULE;
            case NO_SERVER -> NO_SERVER;
            case CONNECT_TIMEOUT, CONNECT_FAILED, SERVER_HANDSHAKE_FAILED -> CONNECT;
            case CLIENT_CLOSED, SERVER_CLOSED, CLIENT_TIMEOUT, SERVER_TIMEOUT, HALF_CLOSE_TIMEOUT,
                 CLIENT_ABORTED, CLIENT_ERROR, SERVER_ERROR, SERVER_DOWN, SERVER_REMOVED, SHUTDOWN,
                 FRAMING_INVALID, REBALANCED, INTERNAL_ERROR -> null;
        };
    }

    /** The lower-case name used in metric labels and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
