package lb.examples.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import lb.core.tls.Handshake;

/**
 * Counters and latency recorders of one load run. Client loops write (once per connect or
 * packet); the driver thread reads. Latencies go to HdrHistogram {@link Recorder}s, which take
 * values from many threads without locks; only the driver drains them into the totals.
 *
 * <p>Every connect attempt settles exactly once: ready, refused or failed. The driver waits
 * on {@link #settled} to know a phase is over.
 */
final class LoadStats {
    /** 1 us resolution up to 10 min, 3 significant digits. */
    private static final long LOWEST_NS = 1_000;
    private static final long HIGHEST_NS = 600_000_000_000L;
    private static final int DIGITS = 3;

    final LongAdder connectsStarted = new LongAdder();
    final LongAdder connected = new LongAdder();
    final LongAdder ready = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder settled = new LongAdder();
    final LongAdder subscribed = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder reconnectsSkipped = new LongAdder();
    final LongAdder pings = new LongAdder();
    final LongAdder published = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final AtomicInteger live = new AtomicInteger();
    final AtomicInteger peakLive = new AtomicInteger();
    final LongAdder handshakes = new LongAdder();
    final LongAdder resumedHandshakes = new LongAdder();
    /** Protocol and cipher suite of a finished handshake, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"; null before one. */
    volatile String negotiated;
    final LongAccumulator lastConnackNs = new LongAccumulator(Math::max, Long.MIN_VALUE);
    final LongAccumulator lastDeliveryNs = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final Map<String, LongAdder> failureReasons = new ConcurrentHashMap<>();

    private final Recorder connectRecorder = new Recorder(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Recorder reconnectRecorder = new Recorder(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Recorder deliveryRecorder = new Recorder(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Recorder handshakeRecorder = new Recorder(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Histogram connectLatency = new Histogram(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Histogram reconnectLatency = new Histogram(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Histogram deliveryLatency = new Histogram(LOWEST_NS, HIGHEST_NS, DIGITS);
    private final Histogram handshakeLatency = new Histogram(LOWEST_NS, HIGHEST_NS, DIGITS);

    void fail(String reason) {
        failed.increment();
        settled.increment();
        failureReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void becameReady() {
        ready.increment();
        settled.increment();
        peakLive.accumulateAndGet(live.incrementAndGet(), Math::max);
    }

    void recordConnect(long nanos, boolean reconnect) {
        (reconnect ? reconnectRecorder : connectRecorder).recordValue(clamp(nanos));
    }

    /** A TLS handshake finished {@code nanos} after the TCP connection was up. */
    void recordHandshake(long nanos, boolean resumed, Handshake handshake) {
        handshakes.increment();
        if (resumed) {
            resumedHandshakes.increment();
        }
        handshakeRecorder.recordValue(clamp(nanos));
        if (negotiated == null) {
            negotiated = handshake.protocol() + " " + handshake.cipherSuite();
        }
    }

    void recordDelivery(long nanos) {
        deliveryRecorder.recordValue(clamp(nanos));
    }

    /** Moves what the recorders collected into the totals. Driver thread only. */
    void drainLatencies() {
        connectLatency.add(connectRecorder.getIntervalHistogram());
        reconnectLatency.add(reconnectRecorder.getIntervalHistogram());
        deliveryLatency.add(deliveryRecorder.getIntervalHistogram());
        handshakeLatency.add(handshakeRecorder.getIntervalHistogram());
    }

    /** Totals so far (as of the last drain). Driver thread only. */
    Histogram connectLatency() {
        return connectLatency;
    }

    Histogram reconnectLatency() {
        return reconnectLatency;
    }

    Histogram deliveryLatency() {
        return deliveryLatency;
    }

    Histogram handshakeLatency() {
        return handshakeLatency;
    }

    Map<String, Long> failureReasons() {
        Map<String, Long> out = new TreeMap<>();
        failureReasons.forEach((reason, count) -> out.put(reason, count.sum()));
        return out;
    }

    private static long clamp(long nanos) {
        return Math.max(0, Math.min(HIGHEST_NS, nanos));
    }
}
