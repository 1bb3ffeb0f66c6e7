package lb.core.stats;

import lb.core.model.ServerState;

/**
 * One server of a backend: its operator state, its health, its weights and its traffic.
 *
 * @param address               host:port
 * @param up                    healthy, as the last checks (or a forced health) found it
 * @param usable                takes new tunnels now: ready, up and weight above 0
 * @param warmingUp             recovered recently and its weight still ramping up (slow start)
 * @param healthReason          why the health last changed, or what the last check said
 * @param healthChangedAtMillis when it last went up or down (epoch milliseconds)
 * @param downTransitions       how many times it went down
 * @param weight                the weight balancers use now (slow start scales it)
 * @param configuredWeight      the weight as configured or last set
 * @param sourcePortsExhausted  connects refused because every source port toward it was taken
 * @param maxConnectRate        the most new connections a second it is sent (0: no limit)
 * @param connectsDelayed       tunnels that waited in the queue because its connect rate was spent
 * @param connectTime           from the start of the connect attempt to this server that succeeded
 *                              to its being established (the attempt alone, unlike the backend's)
 */
public record ServerStats(String name, String address, ServerState state, boolean up, boolean usable,
                          boolean warmingUp, String healthReason, long healthChangedAtMillis,
                          long downTransitions, int weight, int configuredWeight, long sourcePortsExhausted,
                          Traffic traffic, int maxConnectRate, long connectsDelayed, DurationHistogram connectTime) {

    /** A server with no connect times recorded. */
    public ServerStats(String name, String address, ServerState state, boolean up, boolean usable,
                       boolean warmingUp, String healthReason, long healthChangedAtMillis,
                       long downTransitions, int weight, int configuredWeight, long sourcePortsExhausted,
                       Traffic traffic, int maxConnectRate, long connectsDelayed) {
        this(name, address, state, up, usable, warmingUp, healthReason, healthChangedAtMillis, downTransitions, weight,
                configuredWeight, sourcePortsExhausted, traffic, maxConnectRate, connectsDelayed,
                DurationHistogram.EMPTY);
    }

    /** A server with no connect rate limit. */
    public ServerStats(String name, String address, ServerState state, boolean up, boolean usable,
                       boolean warmingUp, String healthReason, long healthChangedAtMillis,
                       long downTransitions, int weight, int configuredWeight, long sourcePortsExhausted,
                       Traffic traffic) {
        this(name, address, state, up, usable, warmingUp, healthReason, healthChangedAtMillis, downTransitions, weight,
                configuredWeight, sourcePortsExhausted, traffic, 0, 0);
    }
}
