package lb.core.engine;

import java.util.ArrayDeque;

/**
 * A loop's TLS handshakes under way, at most a limit; clients beyond it wait their turn,
 * oldest first, with their hello unread in the kernel. Without a bound, a reconnect storm
 * starts every handshake at once, each client's last flight queues behind thousands of other
 * clients' first ones, and every handshake ends late together (past the inspect delay: none
 * served). With it, handshakes finish at the rate the loop can sign, in arrival order.
 * Loop thread only.
 */
final class HandshakeSlots {
    private final int limit;
    private final ArrayDeque<Tunnel> waiting = new ArrayDeque<>();
    private int inUse;
    /** {@code waiting}'s size for readers off the loop (the deque itself is the loop's alone). */
    private volatile int waitingCount;

    /** {@code limit}: {@code LoadBalancerBuilder.tlsHandshakesPerLoop}, which says why it is what it is. */
    HandshakeSlots(int limit) {
        this.limit = limit;
    }

    /** Takes a slot if one is free. */
    boolean tryTake() {
        if (inUse < limit) {
            inUse++;
            return true;
        }
        return false;
    }

    /** {@code t} waits for a slot; it is handed one by {@link #release} in its turn. */
    void await(Tunnel t) {
        waiting.add(t);
        waitingCount = waiting.size();
    }

    /** Gives a slot back and hands it to the oldest client still waiting, if any. */
    void release() {
        inUse--;
        Tunnel next;
        while (inUse < limit && (next = waiting.poll()) != null) {
            if (next.admitHandshake()) {
                inUse++;
            }
        }
        waitingCount = waiting.size();
    }

    /** Handshakes under way; read racily off the loop. */
    int inUse() {
        return inUse;
    }

    /** Clients waiting for a turn (those closed meanwhile included until their turn comes). */
    int waiting() {
        return waitingCount;
    }
}
