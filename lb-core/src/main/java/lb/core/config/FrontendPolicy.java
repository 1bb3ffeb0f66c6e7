package lb.core.config;

import lb.core.model.KeyExtractor;
import lb.core.tls.TlsSettings;

/**
 * Everything about a frontend but its addresses, as one immutable value, so a
 * reconfiguration swaps it whole. Tunnels read it when they need it: a changed timeout
 * applies to established tunnels from their next check, a changed backend to new tunnels.
 */
public record FrontendPolicy(
        String backendName,
        long clientTimeoutNs,
        long halfCloseTimeoutNs,
        boolean tcpKeepAlive,
        KeyExtractor keyExtractor,
        long inspectDelayNs,
        int inspectMaxBytes,
        boolean acceptProxy,
        int maxKeyConnectionRate,
        TlsSettings tls) {

}
