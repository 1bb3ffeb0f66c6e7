package lb.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.model.TunnelListener;

/** Collects tunnel events so a test can wait for the one it expects. */
public final class EventLog implements TunnelListener {
    private final LinkedBlockingQueue<TunnelEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void onTunnelClosed(TunnelEvent event) {
        events.add(event);
    }

    /** The next event, waiting up to {@code timeout}; fails if none comes. */
    public TunnelEvent next(Duration timeout) throws InterruptedException {
        TunnelEvent e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no tunnel event within " + timeout);
        }
        return e;
    }

    public TunnelEvent next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    /** Waits for {@code count} events and returns them. */
    public List<TunnelEvent> take(int count, Duration timeout) throws InterruptedException {
        List<TunnelEvent> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < count) {
            TunnelEvent e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("only " + out.size() + " of " + count + " events within " + timeout);
            }
            out.add(e);
        }
        return out;
    }

    public long count(Termination t) {
        return events.stream().filter(e -> e.termination() == t).count();
    }

    public int size() {
        return events.size();
    }
}
