package lb.core.balance;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * One balancing algorithm. Instances are per event loop (the builder takes a supplier), so
 * implementations keep plain fields and need no synchronisation: {@link #update} and
 * {@link #pick} are only ever called on the owning loop's thread.
 *
 * <p>Every implementation keeps these promises:
 * <ul>
 *   <li>it picks only from the last {@link ServerSet} given to {@link #update}, which holds
 *       the servers that are ready and weighted above 0 (never a draining, maintenance or
 *       down one);</li>
 *   <li>it skips servers at their connection limit ({@link Server#isFull()}, read live at
 *       pick time) and answers {@link Pick#ALL_FULL} when every usable server is full;</li>
 *   <li>it answers {@link Pick#NO_SERVER} when the set is empty;</li>
 *   <li>it skips {@code avoid} while any other server can take the tunnel, and returns it
 *       only as the last choice (retrying the one server left beats refusing);</li>
 *   <li>{@code pick} allocates nothing.</li>
 * </ul>
 *
 * <p>Scaling past one node: the key-hash balancers ({@link ConsistentHash},
 * {@link RendezvousHash}, {@link SourceHash}) keep no state beyond the server set, so every
 * balancer instance (in this JVM or another) built with the same server names and weights
 * sends a key to the same server, as long as that server has room (and is under its load
 * bound, where one is set). Run several load balancers behind a plain L4 service and a client
 * id lands on the same broker whichever one it reaches, with no table to share.
 */
public interface Balancer {
    /** Called on the owning loop whenever the usable set changes. Precompute here. */
    void update(ServerSet usable);

    /**
     * Called once per new tunnel; must not allocate. {@code keyHash} is the routing key's
     * hash when the frontend extracted one (never negative), else the client address's
     * (always negative): see {@link KeyHash#hasKey(long)}. {@code avoid} is the server that
     * just failed to connect, or null.
     */
    Pick pick(long keyHash, Server avoid);

    /**
     * The algorithm and its parameters, e.g. {@code ConsistentHash(pointsPerWeight=500, ...)}.
     * Two balancers that describe alike behave alike: a reconfiguration keeps the running ones
     * (and their state) when the description did not change, and reports it when it did.
     */
    default String describe() {
        return getClass().getSimpleName();
    }
}
