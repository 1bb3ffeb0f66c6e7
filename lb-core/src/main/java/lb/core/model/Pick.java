package lb.core.model;


/**
 * What a balancer chose: a server, or why there is none. Each server owns its pick and the two
 * refusals are constants, so picking allocates nothing.
 */
public final class Pick {
    /** No server is usable (all down, draining, in maintenance or weighted 0). */
    public static final Pick NO_SERVER = new Pick(null);
    /** Servers are usable but all are at their connection limit: queue. */
    public static final Pick ALL_FULL = new Pick(null);

    private final Server server;

    private Pick(Server server) {
        this.server = server;
    }

    /** Only {@link Server} calls this, once, for its own pick. */
    public static Pick of(Server server) {
        return new Pick(java.util.Objects.requireNonNull(server));
    }

    /** The chosen server, or null for {@link #NO_SERVER} and {@link #ALL_FULL}. */
    public Server server() {
        return server;
    }

    @Override
    public String toString() {
        return this == NO_SERVER ? "NO_SERVER" : this == ALL_FULL ? "ALL_FULL" : server.name();
    }
}
