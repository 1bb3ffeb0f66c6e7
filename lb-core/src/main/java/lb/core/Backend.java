package lb.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import lb.core.balance.Balancer;
import lb.core.health.HealthCheck;
import lb.core.health.HealthMonitor;
import lb.core.loop.EventLoop;
import lb.core.balance.ServerSet;
import lb.core.limit.BackendQueue;
import lb.core.stick.StickTable;

/**
 * A named group of servers behind one balancing algorithm, with its connect policy, server
 * timeout, optional stick table and queue. Built by {@link BackendBuilder}; thread-safe: the
 * usable-server snapshot is republished (copy on write) whenever a server changes.
 */
public final class Backend {
    private final String name;
    private final int index;
    private final List<Server> servers;
    private final Map<String, Server> serversByName;
    private final Supplier<? extends Balancer> balancerFactory;
    private final StickTable stickTable;
    private final long connectTimeoutNs;
    private final long serverTimeoutNs;
    private final int retries;
    private final boolean redispatch;
    private final long queueTimeoutNs;
    private final BackendQueue queue;
    private final HealthCheck healthCheck;
    private volatile HealthMonitor monitor;
    private volatile ServerSet usable = new ServerSet(0, List.of());

    Backend(BackendBuilder b, int index) {
        this.name = b.name;
        this.index = index;
        this.servers = List.copyOf(b.servers);
        Map<String, Server> byName = new LinkedHashMap<>();
        for (Server s : servers) {
            byName.put(s.name(), s);
            s.attach(this);
        }
        this.serversByName = Map.copyOf(byName);
        this.balancerFactory = b.balancer;
        this.stickTable = b.stickTable;
        this.connectTimeoutNs = b.connectTimeout.toNanos();
        this.serverTimeoutNs = b.serverTimeout.toNanos();
        this.retries = b.retries;
        this.redispatch = b.redispatch;
        this.queueTimeoutNs = b.queueTimeout.toNanos();
        this.queue = new BackendQueue(b.maxQueue);
        this.healthCheck = b.healthCheck;
        publishServerSet();
    }

    public String name() {
        return name;
    }

    /** Position among the load balancer's backends; loops index their balancers by it. */
    public int index() {
        return index;
    }

    public List<Server> servers() {
        return servers;
    }

    /** The server called {@code name}, or null. */
    public Server server(String serverName) {
        return serversByName.get(serverName);
    }

    /** The servers taking new tunnels now. */
    public ServerSet usableServers() {
        return usable;
    }

    /** A new balancer instance; each loop owns one. */
    public Balancer newBalancer() {
        return balancerFactory.get();
    }

    /** The stick table, or null when the backend does not stick. */
    public StickTable stickTable() {
        return stickTable;
    }

    public long connectTimeoutNs() {
        return connectTimeoutNs;
    }

    /** Longest silence from the server before the tunnel closes; 0 = none. */
    public long serverTimeoutNs() {
        return serverTimeoutNs;
    }

    public int retries() {
        return retries;
    }

    public boolean redispatch() {
        return redispatch;
    }

    public long queueTimeoutNs() {
        return queueTimeoutNs;
    }

    public BackendQueue queue() {
        return queue;
    }

    /** The health check, or null when servers are not checked (they stay up). */
    public HealthCheck healthCheck() {
        return healthCheck;
    }

    /** Starts health checks on {@code loops}; called once by the load balancer's start. */
    public void startHealthChecks(List<EventLoop> loops) {
        if (healthCheck != null) {
            HealthMonitor m = new HealthMonitor(this, healthCheck, loops);
            monitor = m;
            m.start();
        }
    }

    /**
     * Forces {@code server}'s health, as if checks had found it so (for tests and operators);
     * later checks may change it back. Without health checks the state simply stays.
     */
    public void forceHealth(Server server, boolean up, String reason) {
        HealthMonitor m = monitor;
        if (m != null) {
            m.force(server, up, reason);
        } else {
            server.health(up, reason, java.time.Duration.ZERO);
        }
    }

    /** A tunnel could not connect to {@code server}: feeds passive health observation. */
    public void onConnectFailed(Server server) {
        HealthMonitor m = monitor;
        if (m != null) {
            m.onConnectFailed(server);
        }
    }

    /** Republishes the usable set (weights changed over time, e.g. during slow start). */
    public void republish() {
        publishServerSet();
    }

    /** True if some usable server is below its connection limit. */
    public boolean hasFreeSlot() {
        for (Server s : usable.servers()) {
            if (!s.isFull()) {
                return true;
            }
        }
        return false;
    }

    synchronized void publishServerSet() {
        List<Server> now = new ArrayList<>(servers.size());
        for (Server s : servers) {
            if (s.isUsable()) {
                now.add(s);
            }
        }
        usable = new ServerSet(usable.version() + 1, now);
        if (queue.size() > 0 && hasFreeSlot()) {
            queue.wakeNext();
        }
    }

    void onSlotFreed() {
        if (queue.size() > 0) {
            queue.wakeNext();
        }
    }
}
