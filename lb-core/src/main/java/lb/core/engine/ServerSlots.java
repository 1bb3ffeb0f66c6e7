package lb.core.engine;

import java.util.BitSet;

/**
 * Hands out the index each server's counters have in every loop's counter arrays: one set per
 * load balancer (two balancers in one JVM share nothing), smallest free index first, and an
 * index comes back once a removed server's counters were cleared on every loop, so adding and
 * removing servers for months does not grow the arrays. Thread-safe.
 */
public final class ServerSlots {
    private final BitSet used = new BitSet();

    public synchronized int take() {
        int slot = used.nextClearBit(0);
        used.set(slot);
        return slot;
    }

    public synchronized void give(int slot) {
        used.clear(slot);
    }

    public synchronized int inUse() {
        return used.cardinality();
    }
}
