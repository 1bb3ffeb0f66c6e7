package lb.core.engine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import lb.core.config.Rebalance;
import lb.core.health.HealthCheck;

/**
 * A backend's automatic rebalance after scale-out ({@code BackendPolicy.rebalanceOnAdd}): waits
 * for each server added at run time to be ready, then rebalances once. Thread-safe: servers are
 * added from any thread; the waiting is a timer on one loop, ticking only while a server waits.
 *
 * <p>Ready means usable, past any slow start (the plan counts full weights, so moving clients
 * to a server still warming up would defeat the warm-up), and, when the backend checks its
 * servers, {@code rise} checks passed in a row since it was added: a new server counts as up
 * until checks say otherwise, so without this a broker not yet listening would be handed
 * clients that then fail over to the old servers again.
 *
 * <pre>
 *  added --> WAITING --ready--> OWED --no rebalance running--> rebalance (planned afresh)
 *               |                 ^                               |
 *               | removed         +-- ready while one runs: one more after it, for all of them
 *               v
 *            forgotten
 * </pre>
 */
final class RebalanceOnAdd extends TimerWheel.Timeout {
    private static final System.Logger LOG = System.getLogger(RebalanceOnAdd.class.getName());
    /** Fine enough next to health check intervals (seconds); a tick costs a few reads. */
    private static final long TICK_NS = 100_000_000L;

    private final LiveBackend backend;
    private final Set<LiveServer> waiting = new LinkedHashSet<>();
    /** Names of the servers that became ready and wait for the next rebalance. */
    private final List<String> owed = new ArrayList<>();
    private EventLoop loop;
    private boolean armed;

    RebalanceOnAdd(LiveBackend backend) {
        this.backend = backend;
    }

    /** {@code server} was just added to the running backend. Any thread. */
    void added(LiveServer server, EventLoopGroup group) {
        EventLoop arm;
        synchronized (this) {
            waiting.add(server);
            List<EventLoop> live = group.liveLoops();
            if (armed && live.contains(loop)) {
                arm = null;
            } else { // not ticking, or its loop died with the tick
                if (live.isEmpty()) {
                    return;
                }
                armed = true;
                arm = live.get(0);
                loop = arm;
            }
        }
        LOG.log(System.Logger.Level.INFO, () -> "rebalance_waiting backend=" + backend.name() + " server="
                + server.name() + " until=\"up by its health checks and past slow start\"");
        if (arm != null) {
            arm.execute(() -> arm.timers().schedule(this, arm.nowNs() + TICK_NS));
        }
    }

    /** The names of the servers still waiting to be ready. Any thread. */
    synchronized List<String> waiting() {
        List<String> names = new ArrayList<>(waiting.size());
        for (LiveServer s : waiting) {
            names.add(s.name());
        }
        return names;
    }

    @Override
    protected void onTimeout(long nowNs) {
        Rebalance how = backend.policy().rebalanceOnAdd();
        String cause = null;
        synchronized (this) {
            if (how == null) { // turned off by a reconfiguration meanwhile
                waiting.clear();
                owed.clear();
                armed = false;
                return;
            }
            waiting.removeIf(s -> backend.server(s.name()) != s || s.isBeingRemoved());
            for (var it = waiting.iterator(); it.hasNext(); ) {
                LiveServer s = it.next();
                if (isReady(s)) {
                    it.remove();
                    owed.add(s.name());
                }
            }
            if (!owed.isEmpty() && !backend.isRebalancing()) {
                cause = "added: " + String.join(", ", owed);
                owed.clear();
            }
            if (cause == null && waiting.isEmpty() && owed.isEmpty()) {
                armed = false;
                return;
            }
        }
        if (cause != null) {
            backend.rebalance(how, cause); // outside this lock: the backend's lock is taken before it on adds
        }
        synchronized (this) {
            if (waiting.isEmpty() && owed.isEmpty()) {
                armed = false;
                return;
            }
        }
        loop.timers().schedule(this, nowNs + TICK_NS);
    }

    private boolean isReady(LiveServer s) {
        if (!s.isUsable() || s.isWarmingUp()) {
            return false;
        }
        HealthCheck check = backend.healthCheck();
        return check == null || s.checksPassedInARow() >= check.rise();
    }
}
