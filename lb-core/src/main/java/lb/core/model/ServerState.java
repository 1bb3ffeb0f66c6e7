package lb.core.model;

/** The operator's say over a server: whether it takes new tunnels. */
public enum ServerState {
    /** Takes new tunnels. */
    READY,
    /** Keeps its tunnels and sticky clients already connected, takes no new ones. */
    DRAIN,
    /** Takes nothing new; it is being worked on. */
    MAINTENANCE
}
