package lb.core.stats;

import java.util.Map;

/**
 * A TLS frontend's handshakes: how many finished, and how many failed by reason (the lower-case
 * names of {@code TlsFailure.Reason}, every reason present, zero or not, so series stay stable).
 *
 * @param handshakes finished handshakes
 * @param failures   failed handshakes by reason, in the reasons' order
 */
public record TlsStats(long handshakes, Map<String, Long> failures) {
    public TlsStats {
        failures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failures));
    }

    /** All failed handshakes. */
    public long failed() {
        long n = 0;
        for (long v : failures.values()) {
            n += v;
        }
        return n;
    }
}
