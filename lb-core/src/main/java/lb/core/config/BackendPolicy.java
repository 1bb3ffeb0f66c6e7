package lb.core.config;

import java.util.function.Supplier;

import lb.core.balance.Balancer;
import lb.core.health.HealthCheck;
import lb.core.stick.StickTable;
import lb.core.tls.UpstreamTlsSettings;

/**
 * Everything about a backend but its servers, as one immutable value, so a reconfiguration
 * swaps it whole and a loop never sees half of a change.
 *
 * @param queuePriorityBurst while a lower priority class waits in the queue, how many waiters
 *                           of higher classes are served in a row before one of it
 * @param rebalanceOnAdd     how to rebalance by itself once a server added at run time is up,
 *                           or null to rebalance only when asked
 */
public record BackendPolicy(
        Supplier<? extends Balancer> balancerFactory,
        StickTable stickTable,
        HealthCheck healthCheck,
        long connectTimeoutNs,
        long serverTimeoutNs,
        int retries,
        boolean redispatch,
        int maxQueue,
        long queueTimeoutNs,
        int queuePriorityBurst,
        java.time.Duration drainOnRemove,
        UpstreamTlsSettings tls,
        int maxConnectRate,
        Rebalance rebalanceOnAdd) {
}
