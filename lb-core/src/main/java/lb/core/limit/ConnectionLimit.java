package lb.core.limit;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of live connections against a maximum (global or per frontend), shared by all loops.
 *
 * <p>A listener that finds the limit reached parks itself here and stops accepting, leaving new
 * clients in the kernel's backlog; the release that makes room unparks every parked listener.
 * Parking re-checks for room after registering, and releasing checks for parked listeners
 * after decrementing, so a release racing a park can never leave a listener asleep.
 */
public final class ConnectionLimit {
    /** Something that stopped accepting and wants to hear when there is room again. */
    public interface Parked {
        /** Called from any thread. */
        void unpark();
    }

    private final String name;
    private volatile int max;
    private final AtomicInteger count = new AtomicInteger();
    private final Peak peak = new Peak();
    private final ConcurrentLinkedQueue<Parked> parked = new ConcurrentLinkedQueue<>();

    /** {@code max} 0 means no limit. */
    public ConnectionLimit(String name, int max) {
        this.name = name;
        this.max = max;
    }

    public boolean tryAcquire() {
        while (true) {
            int n = count.get();
            int limit = max;
            if (limit > 0 && n >= limit) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * A slot taken by {@link #tryAcquire()} now holds a connection, so the count is a peak
     * candidate. Listeners take a slot before accepting and give it back when no client came:
     * counting the peak here keeps those empty slots out of it.
     */
    public void held() {
        peak.observe(count.get());
    }

    public void release() {
        count.decrementAndGet();
        if (!parked.isEmpty()) {
            unparkAll();
        }
    }

    public void park(Parked listener) {
        parked.add(listener);
        if (hasRoom()) {
            unparkAll();
        }
    }

    public boolean hasRoom() {
        int limit = max;
        return limit == 0 || count.get() < limit;
    }

    /** Changes the maximum; live connections above a lowered one stay until they end. */
    public void max(int newMax) {
        this.max = newMax;
        if (hasRoom() && !parked.isEmpty()) {
            unparkAll();
        }
    }

    public int count() {
        return count.get();
    }

    public int max() {
        return max;
    }

    /** The most live connections at once since the start. */
    public int peak() {
        return peak.get();
    }

    public String name() {
        return name;
    }

    private void unparkAll() {
        Parked p;
        while ((p = parked.poll()) != null) {
            p.unpark();
        }
    }
}
