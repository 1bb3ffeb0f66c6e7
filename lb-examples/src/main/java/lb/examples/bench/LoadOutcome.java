package lb.examples.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;

import lb.examples.loadgen.LoadResult;

/**
 * The part of a {@link LoadResult} the benchmark uses, small enough to travel from a load
 * worker process to the benchmark as one line of text (histograms compressed, in Base64), and
 * to merge over the workers of one phase. Immutable, except that callers must not modify the
 * histograms.
 *
 * @param connected           CONNACKs with success
 * @param failed              attempts that failed, were refused, or connections dropped
 * @param timedOut            a worker hit its time limit
 * @param connectsPerSecond   CONNACKs per second over the connect phase, all workers together
 * @param published           messages published
 * @param delivered           messages delivered to subscribers
 * @param lost                expected deliveries that never came
 * @param deliveriesPerSecond deliveries per second while publishing
 * @param elapsedNs           the longest worker's run
 * @param cpuNs               CPU time of the load generators' loop threads, all workers together
 * @param tlsHandshakes       TLS handshakes finished (0 in the clear)
 * @param tlsResumed          of those, the ones that resumed an earlier session
 * @param stormRecoveryNs     storm only: from the storm to the last CONNACK (the longest worker's)
 * @param connectLatency      TCP connect start to CONNACK, ns
 * @param deliveryLatency     publish to delivery, ns
 * @param handshakeLatency    TLS only: TCP connection up to handshake done, ns
 */
record LoadOutcome(
        long connected,
        long failed,
        boolean timedOut,
        double connectsPerSecond,
        long published,
        long delivered,
        long lost,
        double deliveriesPerSecond,
        long elapsedNs,
        long cpuNs,
        long tlsHandshakes,
        long tlsResumed,
        long stormRecoveryNs,
        Histogram connectLatency,
        Histogram deliveryLatency,
        Histogram handshakeLatency) {

    static LoadOutcome of(LoadResult r) {
        return new LoadOutcome(r.connected(), r.failed() + r.refused() + r.dropped(), r.timedOut(), r.connectsPerSecond(),
                r.published(), r.delivered(), r.lost(), r.deliveriesPerSecond(), r.elapsedNs(), r.cpuNs(),
                r.tlsHandshakes(), r.tlsResumed(), r.stormRecoveryNs(), r.connectLatency(), r.deliveryLatency(),
                r.handshakeLatency());
    }

    /**
     * Workers that ran side by side, started together: counts and histograms add up; the
     * connect rate is all CONNACKs over the longest worker's connect phase.
     */
    static LoadOutcome merge(List<LoadOutcome> parts) {
        long connected = 0;
        long failed = 0;
        boolean timedOut = false;
        double longestConnectPhase = 0;
        long published = 0;
        long delivered = 0;
        long lost = 0;
        double deliveriesPerSecond = 0;
        long elapsedNs = 0;
        long cpuNs = 0;
        long handshakes = 0;
        long resumed = 0;
        long stormRecoveryNs = 0;
        Histogram connect = new Histogram(3);
        Histogram delivery = new Histogram(3);
        Histogram handshake = new Histogram(3);
        for (LoadOutcome p : parts) {
            connected += p.connected;
            failed += p.failed;
            timedOut |= p.timedOut;
            if (p.connectsPerSecond > 0) {
                longestConnectPhase = Math.max(longestConnectPhase, p.connected / p.connectsPerSecond);
            }
            published += p.published;
            delivered += p.delivered;
            lost += p.lost;
            deliveriesPerSecond += p.deliveriesPerSecond;
            elapsedNs = Math.max(elapsedNs, p.elapsedNs);
            cpuNs += p.cpuNs;
            handshakes += p.tlsHandshakes;
            resumed += p.tlsResumed;
            stormRecoveryNs = Math.max(stormRecoveryNs, p.stormRecoveryNs);
            connect.add(p.connectLatency);
            delivery.add(p.deliveryLatency);
            handshake.add(p.handshakeLatency);
        }
        double connectsPerSecond = longestConnectPhase > 0 ? connected / longestConnectPhase : 0;
        return new LoadOutcome(connected, failed, timedOut, connectsPerSecond, published, delivered, lost,
                deliveriesPerSecond, elapsedNs, cpuNs, handshakes, resumed, stormRecoveryNs, connect, delivery, handshake);
    }

    /** True when every attempt connected and every message arrived in time. */
    boolean isClean() {
        return failed == 0 && lost == 0 && !timedOut;
    }

    /** Space-separated {@code key=value} pairs. */
    String encode() {
        return String.format(Locale.ROOT,
                "connected=%d failed=%d timedOut=%b connectsPerSecond=%.3f published=%d delivered=%d lost=%d "
                        + "deliveriesPerSecond=%.3f elapsedNs=%d cpuNs=%d tlsHandshakes=%d tlsResumed=%d stormRecoveryNs=%d "
                        + "connectLatency=%s deliveryLatency=%s handshakeLatency=%s",
                connected, failed, timedOut, connectsPerSecond, published, delivered, lost, deliveriesPerSecond,
                elapsedNs, cpuNs, tlsHandshakes, tlsResumed, stormRecoveryNs, encode(connectLatency), encode(deliveryLatency),
                encode(handshakeLatency));
    }

    static LoadOutcome decode(String line) {
        Map<String, String> f = new HashMap<>();
        for (String pair : line.trim().split(" ")) {
            int eq = pair.indexOf('=');
            f.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return new LoadOutcome(Long.parseLong(f.get("connected")), Long.parseLong(f.get("failed")),
                Boolean.parseBoolean(f.get("timedOut")), Double.parseDouble(f.get("connectsPerSecond")),
                Long.parseLong(f.get("published")), Long.parseLong(f.get("delivered")), Long.parseLong(f.get("lost")),
                Double.parseDouble(f.get("deliveriesPerSecond")), Long.parseLong(f.get("elapsedNs")),
                Long.parseLong(f.get("cpuNs")), Long.parseLong(f.get("tlsHandshakes")), Long.parseLong(f.get("tlsResumed")),
                Long.parseLong(f.get("stormRecoveryNs")), decodeHistogram(f.get("connectLatency")),
                decodeHistogram(f.get("deliveryLatency")), decodeHistogram(f.get("handshakeLatency")));
    }

    private static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    private static Histogram decodeHistogram(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt histogram from a load worker", e);
        }
    }
}
