package lb.core.balance;

import lb.core.Server;

/**
 * One balancing algorithm. Instances are per event loop (the builder takes a supplier), so
 * implementations keep plain fields and need no synchronisation.
 */
public interface Balancer {
    /** Called on the owning loop whenever the usable set changes. Precompute here. */
    void update(ServerSet usable);

    /**
     * Called once per new tunnel; must not allocate. {@code keyHash} is the sticky key's hash
     * when the frontend extracted one, else the client address's. {@code avoid} is the server
     * that just failed to connect, or null. Servers at their connection limit
     * ({@link Server#isFull()}) are skipped; if every usable server is full the answer is
     * {@link Pick#ALL_FULL}, if none is usable {@link Pick#NO_SERVER}.
     */
    Pick pick(long keyHash, Server avoid);
}
