package lb.core.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import lb.core.time.Clock;

/**
 * A clock that moves only when the test says so, for {@code LoadBalancer.builder().clock(..)}.
 * Thread-safe: the loops read it, the test advances it. A loop notices a move at its next
 * cycle, which comes within one timer tick while any timer is armed.
 */
public final class ManualClock implements Clock {
    /** Far from 0, so no code can mistake a reading for "not set". */
    private final AtomicLong nowNs = new AtomicLong(1_000_000_000_000L);

    @Override
    public long nanoTime() {
        return nowNs.get();
    }

    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock does not go back: " + d);
        }
        nowNs.addAndGet(d.toNanos());
    }
}
