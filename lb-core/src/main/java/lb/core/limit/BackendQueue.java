package lb.core.limit;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Tunnels waiting for a free server slot in one backend, by priority class: first come, first
 * served within a class, higher classes first, bounded by {@code maxQueue} over all classes.
 * Shared by all loops, lock-free. A freed slot wakes one waiter, which retries on its own loop
 * and, if it loses the slot to a racing pick, goes back to the head of its class.
 *
 * <p>Lower classes never starve: while a lower class waits, at most {@code burst} waiters of
 * higher classes are woken in a row before one of it (the highest such class first). So with
 * the default burst of 4 and both classes waiting, the lower class gets a fifth of the freed
 * slots. Under wakes from several loops at once the counts behind this rule race harmlessly:
 * the share holds approximately, and no waiter is lost.
 */
public final class BackendQueue {
    /** Priority classes 0..CLASSES-1 (see {@code PriorityRule.MAX_PRIORITY}). */
    public static final int CLASSES = 8;

    /** A queued tunnel. */
    public interface Waiter {
        /** A slot may be free: retry. Called from any thread. */
        void wake();

        /** Its class, 0..{@link #CLASSES}-1; fixed while it is queued. */
        int priority();
    }

    private volatile int maxQueue;
    private volatile int burst;
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedDeque<Waiter>[] waiters = new ConcurrentLinkedDeque[CLASSES];
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    /** Per class, waiters queued now. */
    private final AtomicIntegerArray queued = new AtomicIntegerArray(CLASSES);
    /** Per class, higher-class waiters woken in a row while this class waited. */
    private final AtomicIntegerArray passedOver = new AtomicIntegerArray(CLASSES);

    public BackendQueue(int maxQueue, int burst) {
        this.maxQueue = maxQueue;
        this.burst = burst;
        for (int i = 0; i < CLASSES; i++) {
            waiters[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /** Queues at the tail of its class; false if the queue is full. */
    public boolean offer(Waiter w) {
        while (true) {
            int n = size.get();
            if (n >= maxQueue) {
                return false;
            }
            if (size.compareAndSet(n, n + 1)) {
                break;
            }
        }
        queued.incrementAndGet(w.priority());
        waiters[w.priority()].addLast(w);
        peak.accumulateAndGet(size.get(), Math::max);
        return true;
    }

    /** Puts a woken waiter that found no slot back at the head of its class, ahead of later arrivals. */
    public void requeue(Waiter w) {
        size.incrementAndGet();
        queued.incrementAndGet(w.priority());
        waiters[w.priority()].addFirst(w);
    }

    /** Removes a waiter that gave up; false if a wake already took it off the queue. */
    public boolean remove(Waiter w) {
        if (waiters[w.priority()].removeFirstOccurrence(w)) {
            queued.decrementAndGet(w.priority());
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Wakes one waiter, if any: of the class whose turn it is. */
    public void wakeNext() {
        for (int attempt = 0; attempt < CLASSES && size.get() > 0; attempt++) {
            int c = nextClass();
            if (c < 0) {
                return;
            }
            Waiter w = waiters[c].pollFirst();
            if (w != null) {
                queued.decrementAndGet(c);
                size.decrementAndGet();
                w.wake();
                return;
            }
            // another wake took the last one of that class meanwhile: choose again
        }
    }

    /**
     * The class to serve: the highest one waiting, unless a lower one waiting has been passed
     * over {@code burst} times in a row; then that one (the highest such), and its count starts again.
     */
    private int nextClass() {
        int highest = -1;
        for (int c = CLASSES - 1; c >= 0; c--) {
            if (queued.get(c) > 0) {
                highest = c;
                break;
            }
        }
        if (highest < 0) {
            return -1;
        }
        int limit = burst;
        for (int c = highest - 1; c >= 0; c--) {
            if (queued.get(c) > 0 && passedOver.get(c) >= limit) {
                passedOver.set(c, 0);
                return c;
            }
        }
        for (int c = highest - 1; c >= 0; c--) {
            if (queued.get(c) > 0) {
                passedOver.incrementAndGet(c);
            } else {
                passedOver.set(c, 0);
            }
        }
        passedOver.set(highest, 0);
        return highest;
    }

    public int size() {
        return size.get();
    }

    /** Waiters of class {@code priority} queued now. */
    public int size(int priority) {
        return Math.max(0, queued.get(priority));
    }

    public int peak() {
        return peak.get();
    }

    /** Changes the bound; tunnels already queued stay. */
    public void maxQueue(int max) {
        this.maxQueue = max;
    }

    public int maxQueue() {
        return maxQueue;
    }

    /** Changes how many higher-class waiters may go in a row before a waiting lower class. */
    public void burst(int higherInARow) {
        this.burst = higherInARow;
    }

    public int burst() {
        return burst;
    }
}
