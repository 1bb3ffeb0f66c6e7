package lb.core.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import lb.core.model.Termination;

/**
 * Ends a chosen set of tunnels across every loop at a pace (clients per second), then, when its
 * grace is over, those left all at once: the way a server's removal, a shutdown or a rebalance
 * ends many tunnels without making a whole fleet reconnect together. Each tunnel ends through
 * {@link Tunnel#end}, cleanly where its packets frame.
 *
 * <p>Thread-safe. Each loop runs its own {@link Tick} on its own wheel and ends only its own
 * tunnels; the loops share one count of tunnels claimed so far, so together they keep the pace
 * (each tick claims what the pace allows by now, ends what it can of it, and gives back the
 * rest). A {@link Watch} on one loop sees the set empty or the grace over. With a pace of 0 the
 * tunnels are left to finish on their own until the grace is over.
 *
 * <pre>
 *  start --pace--> PACED --set empty--------------------------------------> done
 *                    |                                                        ^
 *                    +--grace over--> ENDING_REST (the rest end together) ----+ set empty, or
 *                                                                             | Tunnel.ENDING_NS later
 * </pre>
 */
abstract class PacedEnding {
    private static final long TICK_NS = 10_000_000L;
    /** Tunnels one loop ends per tick at most, so a high pace cannot stall a loop. */
    private static final int PER_TICK_LIMIT = 512;
    private static final long WATCH_NS = 20_000_000L;
    /** After the rest were told to end: their clean ends' bound, and a little for the last closes. */
    private static final long REST_NS = Tunnel.ENDING_NS + 200_000_000L;

    private final EventLoopGroup group;
    final Termination reason;
    final String detail;
    private final long perSecond;
    private final long startNs;
    /** When the grace is over (named apart from the wheel's own deadline field, which inner timers see). */
    private final long graceEndNs;
    private final boolean endRestAtDeadline;
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean over;

    /**
     * {@code perSecond} 0 leaves tunnels to finish on their own until {@code graceNs} has passed;
     * then, with {@code endRestAtDeadline}, those left end together (else they stay).
     */
    PacedEnding(EventLoopGroup group, Termination reason, String detail, long perSecond, long graceNs,
                boolean endRestAtDeadline) {
        this.group = group;
        this.reason = reason;
        this.detail = detail;
        this.perSecond = perSecond;
        this.startNs = group.nowNs();
        this.graceEndNs = startNs + graceNs;
        this.endRestAtDeadline = endRestAtDeadline;
    }

    /** True if this ending takes {@code t} (not ending yet); may reserve it. Loop thread. */
    abstract boolean takes(Tunnel t);

    /** True once nothing is left to end (no tunnel of the set is open). Any thread. */
    abstract boolean isEmpty();

    EventLoopGroup group() {
        return group;
    }

    /** Tunnels ended so far by the pace (not those that ended on their own). */
    long ended() {
        return ended.get();
    }

    long perSecond() {
        return perSecond;
    }

    boolean isOver() {
        return over;
    }

    /** Starts the pace on every live loop; the future completes when done. Any thread. */
    CompletableFuture<Void> start() {
        List<EventLoop> live = group.liveLoops();
        if (live.isEmpty()) {
            finish();
            return done;
        }
        if (perSecond > 0) {
            for (EventLoop loop : live) {
                loop.execute(() -> new Tick(loop).onTimeout(loop.nowNs()));
            }
        }
        EventLoop watcher = live.get(0);
        watcher.execute(() -> new Watch(watcher).onTimeout(watcher.nowNs()));
        return done;
    }

    /** Stops the pace now (the rest stay as they are). Any thread. */
    void stop() {
        finish();
    }

    private void finish() {
        over = true;
        done.complete(null);
    }

    /** Ends up to {@code max} of {@code loop}'s tunnels that this ending takes; returns how many. Loop thread. */
    int endOn(EventLoop loop, int max) {
        int n = loop.endTunnels(this, max);
        ended.addAndGet(n);
        return n;
    }

    /** One loop's share of the pace, every tick until the ending is over or its grace is. */
    private final class Tick extends TimerWheel.Timeout {
        private final EventLoop loop;

        Tick(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        protected void onTimeout(long nowNs) {
            if (over || nowNs - graceEndNs >= 0) {
                return;
            }
            long allowed = (nowNs - startNs) / 1_000 * perSecond / 1_000_000 + 1; // the first goes at once
            while (true) {
                long c = claimed.get();
                long take = Math.min(allowed - c, PER_TICK_LIMIT);
                if (take <= 0) {
                    break;
                }
                if (claimed.compareAndSet(c, c + take)) {
                    int n = endOn(loop, (int) take);
                    if (n < take) {
                        claimed.addAndGet(n - take); // for the other loops
                    }
                    break;
                }
            }
            loop.timers().schedule(this, nowNs + TICK_NS);
        }
    }

    /** Sees the set empty, or the grace over, and ends the rest then. Runs on one loop. */
    private final class Watch extends TimerWheel.Timeout {
        private final EventLoop loop;
        private long restEndNs = -1;

        Watch(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        protected void onTimeout(long nowNs) {
            if (over) {
                return;
            }
            if (isEmpty()) {
                finish();
                return;
            }
            if (restEndNs < 0 && nowNs - graceEndNs >= 0) {
                if (!endRestAtDeadline) {
                    finish();
                    return;
                }
                restEndNs = nowNs + REST_NS;
                for (EventLoop l : group.liveLoops()) {
                    l.execute(() -> endOn(l, Integer.MAX_VALUE));
                }
            } else if (restEndNs >= 0 && nowNs - restEndNs >= 0) {
                finish();
                return;
            }
            long next = nowNs + WATCH_NS;
            if (restEndNs < 0 && graceEndNs - next < 0) {
                next = graceEndNs;
            }
            loop.timers().schedule(this, next);
        }
    }
}
