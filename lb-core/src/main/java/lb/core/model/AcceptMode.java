package lb.core.model;

/** How accepted clients are spread over the event loops. */
public enum AcceptMode {
    /**
     * Every loop binds its own listening socket with {@code SO_REUSEPORT} and the kernel spreads
     * new connections between them by a hash of their addresses.
     */
    REUSE_PORT,
    /** One loop accepts on each address and hands every client to the least-loaded loop. */
    HANDOFF
}
