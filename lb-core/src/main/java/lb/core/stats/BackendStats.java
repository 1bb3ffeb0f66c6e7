package lb.core.stats;

import java.util.List;

/**
 * One backend and its servers. Its traffic's bytes and live connections are its servers'
 * added up; its byte counters therefore drop when a server is removed.
 *
 * @param stickTable    null when the backend does not stick
 * @param healthChecked whether servers are checked actively
 * @param healthChanges the servers' recent ups and downs, newest first
 * @param rebalance     the latest rebalance, or null if none ran
 * @param connectTime   from a tunnel's first connect attempt to its server connection being
 *                      established, retries included (HAProxy's Tc), for each tunnel connected
 * @param queueTime     how long tunnels the queue let go to a server had waited in it (HAProxy's
 *                      Tw); tunnels that never waited are not counted here
 * @param awaitingRebalance servers added at run time that the backend waits for (to be up by
 *                      their health checks, past slow start) before it rebalances by itself
 */
public record BackendStats(String name, Traffic traffic, QueueStats queue, StickTableStats stickTable,
                           boolean healthChecked, List<ServerStats> servers, List<HealthChange> healthChanges,
                           RebalanceStats rebalance, DurationHistogram connectTime, DurationHistogram queueTime,
                           List<String> awaitingRebalance) {
    public BackendStats {
        servers = List.copyOf(servers);
        healthChanges = List.copyOf(healthChanges);
        awaitingRebalance = List.copyOf(awaitingRebalance);
    }

    /** A backend with no connect or queue times recorded, waiting for no added server. */
    public BackendStats(String name, Traffic traffic, QueueStats queue, StickTableStats stickTable,
                        boolean healthChecked, List<ServerStats> servers, List<HealthChange> healthChanges,
                        RebalanceStats rebalance) {
        this(name, traffic, queue, stickTable, healthChecked, servers, healthChanges, rebalance,
                DurationHistogram.EMPTY, DurationHistogram.EMPTY, List.of());
    }

    /** A backend that never rebalanced. */
    public BackendStats(String name, Traffic traffic, QueueStats queue, StickTableStats stickTable,
                        boolean healthChecked, List<ServerStats> servers, List<HealthChange> healthChanges) {
        this(name, traffic, queue, stickTable, healthChecked, servers, healthChanges, null);
    }

    /** The server called {@code serverName}; throws if there is none. */
    public ServerStats server(String serverName) {
        for (ServerStats s : servers) {
            if (s.name().equals(serverName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no server '" + serverName + "' in backend '" + name + "'");
    }

    /** Servers taking new tunnels now. */
    public int usableServers() {
        int n = 0;
        for (ServerStats s : servers) {
            if (s.usable()) {
                n++;
            }
        }
        return n;
    }
}
