package lb.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import lb.core.health.HealthCheck;
import lb.core.model.Termination;

/**
 * Runs one backend's health checks: one {@link Probe} per server, spread over the event loops.
 * Publishes state changes (the server's health, hence the backend's usable set), logs them,
 * and, if asked, closes a downed server's tunnels. Thread-safe: probes run on their loops,
 * servers may be added and removed from any thread.
 */
public final class HealthMonitor {
    private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());

    private final LiveBackend backend;
    private final HealthCheck check;
    private final List<EventLoop> loops;
    private final Map<LiveServer, Probe> probes = new ConcurrentHashMap<>();
    private int next;

    public HealthMonitor(LiveBackend backend, HealthCheck check, List<EventLoop> loops) {
        this.backend = backend;
        this.check = check;
        this.loops = List.copyOf(loops);
    }

    /** Starts checking every server of the backend. */
    public void start() {
        for (LiveServer s : backend.servers()) {
            watch(s);
        }
    }

    /** Starts checking {@code server} (a server added at run time, say). */
    public synchronized void watch(LiveServer server) {
        EventLoop loop = loops.get(next++ % loops.size());
        Probe probe = new Probe(loop, server, check, this);
        if (probes.putIfAbsent(server, probe) == null) {
            loop.execute(probe::start);
        }
    }

    /** Stops checking {@code server} (it was removed). */
    public void unwatch(LiveServer server) {
        Probe p = probes.remove(server);
        if (p != null) {
            p.stop();
        }
    }

    /** Stops every probe. */
    public void stop() {
        for (LiveServer s : new ArrayList<>(probes.keySet())) {
            unwatch(s);
        }
    }

    /**
     * A tunnel's connect to {@code server} failed. With passive observation on, enough
     * failures in a row mark the server down at once. Any thread.
     */
    public void onConnectFailed(LiveServer server) {
        int limit = check.observeFailedConnects();
        if (limit > 0 && server.connectFailed() >= limit && server.isUp()) {
            Probe p = probes.get(server);
            if (p != null) {
                p.loop().execute(() -> {
                    if (server.isUp()) {
                        p.force(false);
                        changed(p, false, limit + " tunnel connects failed in a row");
                    }
                });
            }
        }
    }

    /** Forces a server's health (tests, operators); checks go on and may change it back. */
    public void force(LiveServer server, boolean up, String reason) {
        Probe p = probes.get(server);
        if (p == null) {
            apply(server, up, reason);
            return;
        }
        p.loop().execute(() -> {
            p.force(up);
            changed(p, up, reason);
        });
    }

    void changed(Probe probe, boolean up, String reason) {
        apply(probe.server(), up, reason);
    }

    private void apply(LiveServer server, boolean up, String reason) {
        if (!server.health(up, reason, check.slowStart())) {
            return;
        }
        System.Logger.Level level = up ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
        LOG.log(level, () -> (up ? "server_up" : "server_down") + " backend=" + backend.name()
                + " server=" + server.name() + " reason=\"" + reason + "\"");
        if (up && !check.slowStart().isZero()) {
            rampUp(server);
        }
        if (!up && check.closeTunnelsOnDown()) {
            for (EventLoop loop : loops) {
                loop.execute(() -> loop.closeTunnelsOf(server, Termination.SERVER_DOWN));
            }
        }
    }

    /** Republishes the server set in steps while a recovered server warms up. */
    private void rampUp(LiveServer server) {
        long step = Math.max(1_000_000L, check.slowStart().toNanos() / 10);
        EventLoop loop = loops.get(0);
        loop.execute(new Runnable() {
            @Override
            public void run() {
                backend.republish();
                if (server.isWarmingUp() && server.isUp()) {
                    loop.timers().schedule(new TimerWheelStep(this), loop.nowNs() + step);
                }
            }
        });
    }

    /** A one-shot timer that runs a command on its loop. */
    private static final class TimerWheelStep extends lb.core.engine.TimerWheel.Timeout {
        private final Runnable command;

        TimerWheelStep(Runnable command) {
            this.command = command;
        }

        @Override
        protected void onTimeout(long nowNs) {
            command.run();
        }
    }
}
