package lb.core.model;

import java.net.InetSocketAddress;

import lb.core.proxy.ProxyFormat;

/**
 * One upstream of a backend as balancers, listeners and operators see it: its settings, its
 * health and its live counts, and the few controls an operator changes at run time (weight,
 * limit, state). Thread-safe; every read is of the value now. The load balancer makes servers
 * (see {@code BackendBuilder.server}); an application never implements this.
 */
public interface Server {
    String name();

    /** Resolved once when the server was configured, so connecting never resolves. */
    InetSocketAddress address();

    /** The name of the backend the server belongs to. */
    String backendName();

    /**
     * The weight balancers use now: the configured weight, scaled down while the server warms
     * up after recovering (slow start), but never below 1.
     */
    int weight();

    /** The weight as configured (or last set), before any slow-start scaling. */
    int configuredWeight();

    /** Sets the weight, 0..256 (0 takes the server out of rotation); effective for the next pick. */
    void weight(int newWeight);

    /** True while a recovered server's weight is still ramping up. */
    boolean isWarmingUp();

    /** The most tunnels the server takes; 0 means no limit. */
    int maxConnections();

    /** Changes the limit; tunnels above a lowered limit stay until they end. */
    void maxConnections(int max);

    ServerState state();

    /** Sets the operator state; effective for the next pick, established tunnels stay. */
    void state(ServerState newState);

    /** True from {@code Backend.removeServer} until the server is gone, unless re-added meanwhile. */
    boolean isBeingRemoved();

    /** Live tunnels on this server, counting those still connecting. */
    int connections();

    long totalConnections();

    /** Health as last judged by checks (or forced); a server starts up. */
    boolean isUp();

    /** Why the health last changed (e.g. "connect refused", "3 checks passed"). */
    String healthReason();

    long healthChangedAtMillis();

    /** How many times the server went down. */
    long downTransitions();

    /** Takes new tunnels: ready, up and weighted above 0. */
    default boolean isUsable() {
        return state() == ServerState.READY && isUp() && configuredWeight() > 0;
    }

    /** At its connection limit: a balancer skips it. */
    default boolean isFull() {
        int max = maxConnections();
        return max > 0 && connections() >= max;
    }

    /** The balancer result that names this server, made once so picking allocates nothing. */
    Pick asPick();

    /** The PROXY header format this server receives first, or null for none. */
    ProxyFormat sendProxy();

    /** Connects refused because every source port toward this server was taken. */
    long sourcePortsExhausted();
}
