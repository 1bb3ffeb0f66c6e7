package lb.core.limit;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tunnels waiting for a free server slot in one backend: first come, first served, bounded by
 * {@code maxQueue}. Shared by all loops. A freed slot wakes the head waiter, which retries on
 * its own loop and, if it loses the slot to a racing pick, goes back to the head.
 */
public final class BackendQueue {
    /** A queued tunnel. */
    public interface Waiter {
        /** A slot may be free: retry. Called from any thread. */
        void wake();
    }

    private volatile int maxQueue;
    private final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    public BackendQueue(int maxQueue) {
        this.maxQueue = maxQueue;
    }

    /** Queues at the tail; false if the queue is full. */
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
        waiters.addLast(w);
        peak.accumulateAndGet(size.get(), Math::max);
        return true;
    }

    /** Puts a woken waiter that found no slot back at the head, ahead of later arrivals. */
    public void requeue(Waiter w) {
        size.incrementAndGet();
        waiters.addFirst(w);
    }

    /** Removes a waiter that gave up; false if a wake already took it off the queue. */
    public boolean remove(Waiter w) {
        if (waiters.removeFirstOccurrence(w)) {
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Wakes the head waiter, if any. */
    public void wakeNext() {
        Waiter w = waiters.pollFirst();
        if (w != null) {
            size.decrementAndGet();
            w.wake();
        }
    }

    public int size() {
        return size.get();
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
}
