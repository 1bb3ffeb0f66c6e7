package lb.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import lb.core.balance.ServerSet;
import lb.core.config.BackendPolicy;
import lb.core.config.Pacing;
import lb.core.config.Rebalance;
import lb.core.engine.LiveBackend;
import lb.core.engine.LiveServer;
import lb.core.health.HealthCheck;
import lb.core.model.Server;
import lb.core.stats.RebalanceStats;
import lb.core.stick.StickTable;

/**
 * A named group of servers behind one balancing algorithm, as the application sees it in a
 * running load balancer: its servers, its policy (balancer, stick table, health check,
 * timeouts, queue) and the calls that change its servers at run time. Thread-safe. Established
 * tunnels keep their server; new tunnels see a change at once.
 */
public final class Backend {
    private final LiveBackend live;

    Backend(LiveBackend live) {
        this.live = live;
    }

    LiveBackend live() {
        return live;
    }

    public String name() {
        return live.name();
    }

    /** The servers now, in configuration order (a snapshot). */
    @SuppressWarnings("unchecked") // an unmodifiable list of live servers reads as one of servers
    public List<Server> servers() {
        return (List<Server>) (List<? extends Server>) live.servers();
    }

    /** The server called {@code name}, or null. */
    public Server server(String serverName) {
        return live.server(serverName);
    }

    /** The servers taking new tunnels now. */
    public ServerSet usableServers() {
        return live.usableServers();
    }

    /** The connect policy, timeouts, balancer, table and check in force now. */
    public BackendPolicy policy() {
        return live.policy();
    }

    /** The stick table, or null when the backend does not stick. */
    public StickTable stickTable() {
        return live.stickTable();
    }

    /** The health check, or null when servers are not checked (they stay up). */
    public HealthCheck healthCheck() {
        return live.healthCheck();
    }

    /**
     * Adds a server at run time; it takes new tunnels at once (after its checks, if any).
     * Adding back a server that is still draining after a removal, at the same address,
     * cancels the removal and keeps its tunnels.
     */
    public Server addServer(String serverName, InetSocketAddress address, Consumer<BackendBuilder.ServerOptions> options) {
        return live.adopt(BackendBuilder.newServer(name(), serverName, address, options));
    }

    /**
     * Removes a server: it takes no new tunnels at once (drain), its tunnels may finish for up
     * to {@code drain}, then those left are ended ({@code SERVER_REMOVED}) and it is gone. The
     * future completes when it is. Tunnels whose packets frame end cleanly (for MQTT: a
     * DISCONNECT to the broker in the client's name, and "use another server" to a 5.0 client),
     * which may take up to two seconds more. Adding the server back at the same address before
     * then cancels the removal (the future is cancelled) and keeps its tunnels; removing it again
     * meanwhile returns the same future.
     */
    public CompletableFuture<Void> removeServer(String serverName, Duration drain) {
        return live.removeServer(serverName, drain);
    }

    /**
     * Removes a server as {@link #removeServer(String, Duration)} does, but ends its tunnels
     * itself at {@code pacing}'s pace over its grace (clients reconnect to the other servers a
     * few at a time), those left when the grace is over all at once.
     */
    public CompletableFuture<Void> removeServer(String serverName, Pacing pacing) {
        return live.removeServer(serverName, pacing);
    }

    /**
     * Evens out the servers' clients after servers were added (or came back): when a server
     * strays from its weighted share by more than the tolerance, clients are moved from the
     * servers above their share at the given pace, each ended cleanly (an MQTT 5 client hears
     * "use another server") with its stick-table entry re-pointed to a server below its share,
     * where it lands when it reconnects. One at a time: while one runs, asking again returns it.
     * The future completes with what was planned and moved; {@code lb.stats()} shows progress.
     */
    public CompletableFuture<RebalanceStats> rebalance(Rebalance how) {
        return live.rebalance(how);
    }

    /**
     * Forces a server's health, as if checks had found it so (for tests and operators); later
     * checks may change it back. Without health checks the state simply stays.
     */
    public void forceHealth(Server server, boolean up, String reason) {
        LiveServer s = live.server(server.name());
        if (s != server) {
            throw new IllegalArgumentException("backend '" + name() + "': " + server.name() + " is not one of its servers");
        }
        live.forceHealth(s, up, reason);
    }

    @Override
    public String toString() {
        return "backend " + name();
    }
}
