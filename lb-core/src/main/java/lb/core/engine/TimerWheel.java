package lb.core.engine;

/**
 * Hashed timer wheel for one event loop. Not thread-safe: owned by its loop.
 *
 * <p>Timeouts are intrusive nodes (objects extend {@link Timeout}), so scheduling and
 * cancelling allocate nothing. A slot holds every timeout whose deadline falls in its tick,
 * whatever the revolution; a slot is swept only once its tick has fully elapsed, so a timeout
 * never fires early and fires at most one tick late. Timeouts of later revolutions stay put.
 */
public final class TimerWheel {

    /** A node on the wheel. Armed while linked into a slot. */
    public abstract static class Timeout {
        long deadlineNs;
        Timeout next;
        Timeout prev;

        /** Runs on the loop thread when the deadline has passed. */
        protected abstract void onTimeout(long nowNs);

        /**
         * {@link #onTimeout} threw: undo what it left half done (a tunnel closes). The wheel's
         * owner logs and counts the fault; this only cleans up.
         */
        public void onTimeoutFailed(RuntimeException fault) {
        }

        public final boolean isArmed() {
            return next != null;
        }

    }

    private static final class Head extends Timeout {
        Head() {
            next = this;
            prev = this;
        }

        @Override
        protected void onTimeout(long nowNs) {
            throw new IllegalStateException("slot head never fires");
        }
    }

    /** Told of every timeout that threw; the wheel goes on with the next one. */
    public interface Faults {
        void timeoutFailed(Timeout timeout, RuntimeException fault);
    }

    private static final Faults RETHROW = (timeout, fault) -> {
        throw fault;
    };

    private final Faults faults;
    private final Head[] slots;
    private final int mask;
    private final long tickNs;
    private final long originNs;
    private long currentTick;
    private int size;

    public TimerWheel(long tickNs, int slotCount, long nowNs) {
        this(tickNs, slotCount, nowNs, RETHROW);
    }

    /** A wheel that hands each timeout that throws to {@code faults} and goes on. */
    public TimerWheel(long tickNs, int slotCount, long nowNs, Faults faults) {
        this.faults = faults;
        if (Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("slotCount must be a power of two: " + slotCount);
        }
        this.tickNs = tickNs;
        this.originNs = nowNs;
        this.mask = slotCount - 1;
        this.slots = new Head[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Head();
        }
    }

    /** Arms (or re-arms) {@code timeout} for {@code deadlineNs}. */
    public void schedule(Timeout timeout, long deadlineNs) {
        if (timeout.isArmed()) {
            unlink(timeout);
        }
        timeout.deadlineNs = deadlineNs;
        long tick = Math.max(tickOf(deadlineNs), currentTick);
        Head head = slots[(int) (tick & mask)];
        timeout.prev = head.prev;
        timeout.next = head;
        head.prev.next = timeout;
        head.prev = timeout;
        size++;
    }

    /** Disarms {@code timeout}; does nothing if it is not armed. */
    public void cancel(Timeout timeout) {
        if (timeout.isArmed()) {
            unlink(timeout);
        }
    }

    /**
     * Fires the timeouts whose deadline is at or before {@code nowNs}, at most {@code limit} of
     * them; the rest fire on the next call. Returns how many fired.
     */
    public int poll(long nowNs, int limit) {
        long lastElapsedTick = tickOf(nowNs) - 1;
        int fired = 0;
        while (currentTick <= lastElapsedTick && size > 0) {
            Head head = slots[(int) (currentTick & mask)];
            Timeout t = head.next;
            while (t != head) {
                Timeout next = t.next;
                if (t.deadlineNs <= nowNs) {
                    if (fired == limit) {
                        return fired;
                    }
                    Timeout before = t.prev;
                    unlink(t);
                    fired++;
                    try {
                        t.onTimeout(nowNs);
                    } catch (RuntimeException e) {
                        faults.timeoutFailed(t, e);
                    }
                    // the handler may have cancelled or moved the next node: then start the slot over
                    t = before.next == next ? next : head.next;
                    continue;
                }
                t = next;
            }
            currentTick++;
        }
        if (size == 0) {
            currentTick = Math.max(currentTick, lastElapsedTick + 1);
        }
        return fired;
    }

    /** Milliseconds a selector may sleep before the next tick needs sweeping; 0 = no timeouts. */
    public long millisToNextTick(long nowNs) {
        return millisToNextTimeout(nowNs, 1);
    }

    /**
     * Milliseconds a selector may sleep before a tick that holds a timeout has elapsed, looking at
     * most {@code maxTicks} ticks ahead (then it wakes anyway); 0 = no timeouts. An idle loop
     * whose tunnels time out in minutes then wakes once per {@code maxTicks}, not every tick.
     */
    public long millisToNextTimeout(long nowNs, int maxTicks) {
        if (size == 0) {
            return 0;
        }
        int ahead = 0;
        int limit = Math.min(maxTicks, slots.length) - 1;
        while (ahead < limit && isEmpty(slots[(int) ((currentTick + ahead) & mask)])) {
            ahead++;
        }
        long untilNs = originNs + (currentTick + ahead + 1) * tickNs - nowNs;
        return Math.max(1, (untilNs + 999_999) / 1_000_000);
    }

    private static boolean isEmpty(Head slot) {
        return slot.next == slot;
    }

    public int size() {
        return size;
    }

    private long tickOf(long ns) {
        return Math.floorDiv(ns - originNs, tickNs);
    }

    private void unlink(Timeout t) {
        t.prev.next = t.next;
        t.next.prev = t.prev;
        t.next = null;
        t.prev = null;
        size--;
    }
}
