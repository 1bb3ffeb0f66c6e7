package lb.examples.loadgen;

import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * What a load run measured. Immutable once returned (the histograms are private copies).
 *
 * @param plannedClients      clients the run created: {@code clients}, or publishers + subscribers
 * @param elapsedNs           from the first connect to the last close
 * @param timedOut            the run hit its time limit and stopped early
 * @param connectsStarted     connection attempts, reconnects included
 * @param connected           CONNACKs with success, reconnects included
 * @param refused             CONNACKs with a refusal code
 * @param failed              attempts that ended without a CONNACK (or SUBACK), by reason in {@code failureReasons}
 * @param dropped             connections closed by the other side after they were ready
 * @param peakLive            most connections ready at the same time
 * @param connectsPerSecond   CONNACKs per second over the first connect phase(s)
 * @param reconnects          churn and storm reconnects that got ready again
 * @param stormRecoveryNs     storm only: from the storm to the last reconnect's CONNACK
 * @param published           PUBLISH packets sent by publishers
 * @param acked               PUBACKs received by publishers (QoS 1)
 * @param delivered           PUBLISH packets received by subscribers, duplicates included
 * @param expectedDeliveries  published x ready subscribers
 * @param duplicates          deliveries whose sequence a subscriber had already seen
 * @param lost                expected deliveries that never arrived
 * @param publishesPerSecond  messages published per second while publishing
 * @param deliveriesPerSecond deliveries per second, from the start of publishing to the last delivery
 * @param pings               PINGREQs sent to keep idle connections alive
 * @param tlsHandshakes       TLS handshakes finished (0 on the plain path)
 * @param tlsResumed          of those, the ones that resumed an earlier session
 * @param tlsNegotiated       protocol and cipher suite agreed, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"; null without TLS
 * @param connectLatency      first connects: TCP connect start to CONNACK (a TLS handshake included), in ns
 * @param reconnectLatency    churn and storm reconnects, in ns
 * @param deliveryLatency     publisher's send to subscriber's receive, in ns
 * @param handshakeLatency    TLS only: from the TCP connection up to the handshake done, in ns
 * @param cpuNs               CPU time of the load generator's loop threads
 */
public record LoadResult(
        Scenario scenario,
        String target,
        int mqttLevel,
        int plannedClients,
        long elapsedNs,
        boolean timedOut,
        long connectsStarted,
        long connected,
        long refused,
        long failed,
        Map<String, Long> failureReasons,
        long dropped,
        int peakLive,
        double connectsPerSecond,
        long reconnects,
        long stormRecoveryNs,
        long published,
        long acked,
        long delivered,
        long expectedDeliveries,
        long duplicates,
        long lost,
        double publishesPerSecond,
        double deliveriesPerSecond,
        long pings,
        long tlsHandshakes,
        long tlsResumed,
        String tlsNegotiated,
        Histogram connectLatency,
        Histogram reconnectLatency,
        Histogram deliveryLatency,
        Histogram handshakeLatency,
        long cpuNs) {

    public LoadResult {
        failureReasons = Map.copyOf(failureReasons);
    }

    /** True when nothing went wrong: no time-out, failure, refusal, drop or lost message. */
    public boolean isClean() {
        return !timedOut && failed == 0 && refused == 0 && dropped == 0 && lost == 0;
    }

    public LatencySummary connectSummary() {
        return LatencySummary.of(connectLatency);
    }

    public LatencySummary reconnectSummary() {
        return LatencySummary.of(reconnectLatency);
    }

    public LatencySummary deliverySummary() {
        return LatencySummary.of(deliveryLatency);
    }

    public LatencySummary handshakeSummary() {
        return LatencySummary.of(handshakeLatency);
    }
}
