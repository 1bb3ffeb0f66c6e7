package lb.core.model;

import java.net.InetSocketAddress;

/**
 * One finished tunnel: who, where, how long each stage took, how many bytes, and why it ended.
 * Times are nanoseconds; a stage the tunnel never reached is -1. {@code backend}, {@code server}
 * and {@code key} are null when the tunnel did not get that far. {@code detail} adds the
 * extractor's reject reason or the I/O error's message, else null. {@code tls} is what the
 * client's TLS handshake agreed on, on a frontend that terminates TLS and once it was done;
 * else null.
 */
public record TunnelEvent(
        InetSocketAddress client,
        String frontend,
        String backend,
        String server,
        String key,
        long acceptedAtEpochMillis,
        long inspectNs,
        long queueNs,
        long connectNs,
        long totalNs,
        long bytesFromClient,
        long bytesFromServer,
        int connectAttempts,
        Termination termination,
        String detail,
        TlsFacts tls) {
}
