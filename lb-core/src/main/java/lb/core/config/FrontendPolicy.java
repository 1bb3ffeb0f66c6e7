package lb.core.config;

import java.util.List;

import lb.core.model.KeyExtractor;
import lb.core.tls.TlsSettings;

/**
 * Everything about a frontend but its addresses, as one immutable value, so a
 * reconfiguration swaps it whole. Tunnels read it when they need it: a changed timeout
 * applies to established tunnels from their next check, a changed backend to new tunnels.
 *
 * @param trustedProxies the peers whose PROXY headers are believed; empty when the frontend
 *                       takes no PROXY header
 * @param sourceLimits   live connections and connection rate per client source block
 * @param priorityRules  which priority class a tunnel is in, first match first; none: all in class 0
 * @param tlsHandshakeTimeoutNs how long a TLS client that sent its hello may wait for its turn
 *                       and finish its handshake; the inspect delay counts from then
 * @param keyRoutes      other backends for keys that match, first match first; none: all to
 *                       {@code backendName}
 */
public record FrontendPolicy(
        String backendName,
        long clientTimeoutNs,
        long halfCloseTimeoutNs,
        boolean tcpKeepAlive,
        KeyExtractor keyExtractor,
        long inspectDelayNs,
        int inspectMaxBytes,
        List<Network> trustedProxies,
        int maxKeyConnectionRate,
        SourceLimits sourceLimits,
        List<PriorityRule> priorityRules,
        TlsSettings tls,
        long tlsHandshakeTimeoutNs,
        List<KeyRoute> keyRoutes) {

    public FrontendPolicy {
        trustedProxies = List.copyOf(trustedProxies);
        java.util.Objects.requireNonNull(sourceLimits, "sourceLimits");
        priorityRules = List.copyOf(priorityRules);
        keyRoutes = List.copyOf(keyRoutes);
    }

    /** Whether some peers send a PROXY header first (see {@link #trustedProxies()}). */
    public boolean acceptProxy() {
        return !trustedProxies.isEmpty();
    }
}
