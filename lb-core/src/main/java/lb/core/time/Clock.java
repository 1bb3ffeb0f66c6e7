package lb.core.time;

/** A source of monotonic nanoseconds; the seam that lets tests drive timers by hand. */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
