package lb.core.model;

/** Why a tunnel ended. Every closed or refused client gets exactly one. */
public enum Termination {
    /** The client closed first and both directions drained. */
    CLIENT_CLOSED,
    /** The server closed first and both directions drained. */
    SERVER_CLOSED,
    /** The client sent nothing for the frontend's client timeout. */
    CLIENT_TIMEOUT,
    /** The server sent nothing for the backend's server timeout. */
    SERVER_TIMEOUT,
    /** One side half-closed and the other did not finish within the half-close timeout. */
    HALF_CLOSE_TIMEOUT,
    /** The key extractor did not decide within the inspect delay. */
    INSPECT_TIMEOUT,
    /** The client sent more than the inspect byte cap without a decision. */
    INSPECT_TOO_LARGE,
    /** The frontend expects a PROXY header and the client's was missing or malformed. */
    PROXY_INVALID,
    /** A PROXY header came from a peer outside the frontend's trusted networks, which may not name a client. */
    PROXY_UNTRUSTED,
    /**
     * The frontend terminates TLS and the client's handshake failed: not TLS at all (plain MQTT
     * or HTTP on the TLS port), no shared protocol or cipher, a missing or bad client
     * certificate. The detail names the failure.
     */
    TLS_HANDSHAKE_FAILED,
    /**
     * The frontend terminates TLS and the client did not finish its handshake within the inspect
     * delay of its turn, or got no turn within the frontend's TLS handshake timeout.
     */
    TLS_HANDSHAKE_TIMEOUT,
    /** The client's key connected more often than the frontend's key rate limit allows. */
    KEY_RATE_LIMITED,
    /** The client's source (address, or block of addresses) had as many live connections as the frontend allows one. */
    SOURCE_LIMITED,
    /** The client's source made more new connections within the rate period than the frontend allows one. */
    SOURCE_RATE_LIMITED,
    /** The key extractor rejected the client's first bytes. */
    INSPECT_REJECTED,
    /** The client closed (or reset) before the tunnel reached a server. */
    CLIENT_ABORTED,
    /** No server of the backend is usable. */
    NO_SERVER,
    /** The memory budget was spent: the client's first bytes could not be held. */
    MEMORY_EXHAUSTED,
    /** Every server was full and the backend queue was full too. */
    QUEUE_FULL,
    /** Every server stayed full for the queue timeout. */
    QUEUE_TIMEOUT,
    /** Connecting timed out on the last attempt. */
    CONNECT_TIMEOUT,
    /** Connecting failed (refused, unreachable) on the last attempt. */
    CONNECT_FAILED,
    /**
     * The server did not answer the bytes forwarded to it as the key extractor's
     * {@link ServerHandshake} expects (a WebSocket broker that refused the upgrade or negotiated
     * something the client was not told); the detail names the fault.
     */
    SERVER_HANDSHAKE_FAILED,
    /** An I/O error on the client's socket (a reset, say). */
    CLIENT_ERROR,
    /** An I/O error on the server's socket. */
    SERVER_ERROR,
    /** The tunnel's server was marked down and its backend closes tunnels on down servers. */
    SERVER_DOWN,
    /** The tunnel's server was removed from its backend and its drain period ended. */
    SERVER_REMOVED,
    /** The load balancer shut down before the tunnel finished. */
    SHUTDOWN,
    /**
     * The tunnel's packets stopped framing (its {@link PacketFraming} found bytes that are no
     * packet, after the first bytes were routed); the detail names the side and the fault.
     */
    FRAMING_INVALID,
    /** The balancer moved the client to another server to even out the load (a rebalance). */
    REBALANCED,
    /** A bug: an unexpected exception on the loop; logged with its stack trace. */
    INTERNAL_ERROR
}
