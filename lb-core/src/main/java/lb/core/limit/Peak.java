package lb.core.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The highest value a live count reached since the start (HAProxy's {@code smax}). Thread-safe:
 * one atomic, read when the count grows and written only when the count passes it, so a steady
 * count costs one volatile read per new connection.
 */
public final class Peak {
    private final AtomicInteger value = new AtomicInteger();

    /** The count just grew to {@code count}. */
    public void observe(int count) {
        int peak = value.get();
        while (count > peak && !value.compareAndSet(peak, count)) {
            peak = value.get();
        }
    }

    public int get() {
        return value.get();
    }
}
