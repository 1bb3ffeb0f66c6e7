package lb.core.engine;

import java.net.InetSocketAddress;

import lb.core.model.Termination;
import lb.core.tls.TlsFailure;
import lb.core.model.TlsFacts;
import lb.core.model.TunnelEvent;

/**
 * What happens to one tunnel, for its {@link TunnelEvent} and its loop's counters: when each
 * stage began, the bytes moved (added to the counters as they move, a few plain stores), the
 * connect attempts and how it ended. Owned by the tunnel's loop. A stage never reached is -1.
 */
final class TunnelLedger {
    private final LoopCounters counters;
    private final LiveFrontend frontend;
    /** The frontend's backend until the tunnel is routed, then the one it was routed to. */
    private LiveBackend backend;
    private final LoopCounters.Counts frontendCounts;
    private LoopCounters.Counts serverCounts;
    private LoopCounters.Counts backendCounts;
    private final long acceptedNs;
    private final long acceptedAtMillis;
    private long routedNs = -1;
    private long queuedNs = -1;
    private long connectStartNs = -1;
    private long attemptStartNs = -1;
    private long connectedNs = -1;
    /** Relay byte totals already added to the counters. */
    private long countedIn;
    private long countedOut;

    TunnelLedger(LoopCounters counters, LiveFrontend frontend, long nowNs) {
        this.counters = counters;
        this.frontend = frontend;
        this.backend = frontend.backend();
        this.frontendCounts = counters.frontend(frontend.index());
        this.acceptedNs = nowNs;
        this.acceptedAtMillis = System.currentTimeMillis();
        frontendCounts.tunnels++;
    }

    void routed(long nowNs, LiveBackend to) {
        routedNs = nowNs;
        backend = to;
    }

    boolean isRouted() {
        return routedNs >= 0;
    }

    /** Routed in priority class {@code priority}. */
    void classified(int priority) {
        counters.classes(backend.index()).tunnels[priority]++;
    }

    void queued(long nowNs, int priority) {
        queuedNs = nowNs;
        counters.classes(backend.index()).queued[priority]++;
    }

    /** The queue let the tunnel go to a server (a slot was free). */
    void dequeued(long nowNs, int priority) {
        long waitNs = nowNs - queuedNs;
        counters.backend(backend.index()).queueTime.record(waitNs);
        LoopCounters.ClassCounts c = counters.classes(backend.index());
        c.dequeued[priority]++;
        c.waitNs[priority] += waitNs;
        if (waitNs > c.maxWaitNs[priority]) {
            c.maxWaitNs[priority] = waitNs;
        }
    }

    /** Every server stayed full for the queue timeout. */
    void queueTimedOut(int priority) {
        counters.classes(backend.index()).timedOut[priority]++;
    }

    /** A connect attempt begins; only the first one starts the tunnel's connect time, each one the server's. */
    void connecting(long nowNs) {
        if (connectStartNs < 0) {
            connectStartNs = nowNs;
        }
        attemptStartNs = nowNs;
    }

    void connected(long nowNs, LiveServer server) {
        connectedNs = nowNs;
        serverCounts = counters.server(server.slot());
        serverCounts.tunnels++;
        serverCounts.connectTime.record(nowNs - attemptStartNs);
        backendCounts = counters.backend(backend.index());
        backendCounts.tunnels++;
        backendCounts.connectTime.record(nowNs - connectStartNs);
    }

    void connectFailed(LiveServer server) {
        counters.server(server.slot()).connectErrors++;
        counters.backend(backend.index()).connectErrors++;
    }

    /** The next attempt goes to the same server ({@code redispatched} false) or another one. */
    void retrying(LiveServer failed, boolean redispatched) {
        LoopCounters.Counts b = counters.backend(backend.index());
        if (redispatched) {
            b.redispatches++;
        } else {
            b.retries++;
            counters.server(failed.slot()).retries++;
        }
    }

    /** Adds the bytes the relays moved since the last call (their running totals) to the counters. */
    void bytes(long inTotal, long outTotal) {
        long in = inTotal - countedIn;
        long out = outTotal - countedOut;
        if ((in | out) != 0) {
            countedIn = inTotal;
            countedOut = outTotal;
            frontendCounts.bytesIn += in;
            frontendCounts.bytesOut += out;
            if (serverCounts != null) {
                serverCounts.bytesIn += in;
                serverCounts.bytesOut += out;
                backendCounts.bytesIn += in;
                backendCounts.bytesOut += out;
            }
        }
    }

    /** Counts how the tunnel ended, at the frontend, at the backend if routed, at the last server tried. */
    void ended(Termination reason, LiveServer lastServer) {
        int i = reason.ordinal();
        frontendCounts.ends[i]++;
        if (isRouted()) {
            counters.backend(backend.index()).ends[i]++;
        }
        if (lastServer != null) {
            counters.server(lastServer.slot()).ends[i]++;
        }
    }

    /** The client's TLS handshake finished. */
    void tlsHandshake() {
        frontendCounts.tlsHandshakes++;
    }

    /** The client's TLS handshake failed for {@code reason}. */
    void tlsFailed(TlsFailure.Reason reason) {
        frontendCounts.tlsFailures[reason.ordinal()]++;
    }

    TunnelEvent event(InetSocketAddress client, LiveServer lastServer, String key, long bytesIn, long bytesOut,
                      int attempts, Termination reason, String detail, TlsFacts tls, long nowNs) {
        return new TunnelEvent(client, frontend.name(),
                lastServer != null || isRouted() ? backend.name() : null,
                lastServer == null ? null : lastServer.name(),
                key, acceptedAtMillis,
                routedNs < 0 ? -1 : routedNs - acceptedNs,
                queueTime(nowNs),
                connectedNs < 0 ? -1 : connectedNs - connectStartNs,
                nowNs - acceptedNs,
                bytesIn, bytesOut, attempts, reason, detail, tls);
    }

    /** From routing to the first connect: 0 if never queued, to the close if still queued. */
    private long queueTime(long nowNs) {
        if (queuedNs < 0) {
            return isRouted() ? 0 : -1;
        }
        return (connectStartNs >= 0 ? connectStartNs : nowNs) - queuedNs;
    }
}
