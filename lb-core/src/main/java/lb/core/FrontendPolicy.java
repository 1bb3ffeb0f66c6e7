package lb.core;

/**
 * Everything about a frontend but its addresses, as one immutable value, so a
 * reconfiguration swaps it whole. Tunnels read it when they need it: a changed timeout
 * applies to established tunnels from their next check, a changed backend to new tunnels.
 */
public record FrontendPolicy(
        Backend backend,
        long clientTimeoutNs,
        long halfCloseTimeoutNs,
        boolean tcpKeepAlive,
        KeyExtractor keyExtractor,
        long inspectDelayNs,
        int inspectMaxBytes,
        boolean acceptProxy,
        int maxKeyConnectionRate) {

    FrontendPolicy(FrontendBuilder b, Backend backend) {
        this(backend, b.clientTimeout.toNanos(), b.halfCloseTimeout.toNanos(), b.tcpKeepAlive, b.keyExtractor,
                b.inspectDelay.toNanos(), b.inspectMaxBytes, b.acceptProxy,
                b.maxKeyConnectionRate);
    }
}
