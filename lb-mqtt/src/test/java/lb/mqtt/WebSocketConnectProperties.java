package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import lb.core.model.Verdict;
import lb.core.testing.WebSocketBytes;
import lb.core.websocket.WebSocketInspector;

/**
 * A CONNECT over WebSocket routes as the same CONNECT over TCP, however the client cuts it into
 * frames and however the frames arrive in reads, and the server is sent exactly what the client
 * sent.
 */
class WebSocketConnectProperties {
    private final ConnectInspector plain = Mqtt.connectInspector();
    private final WebSocketInspector overWebSocket = Mqtt.overWebSocket(Mqtt.connectInspector(), "/mqtt");

    @Provide
    Arbitrary<ConnectSpec> connects() {
        return ConnectArbitraries.connects();
    }

    @Provide
    Arbitrary<List<Integer>> chunkings() {
        return Arbitraries.integers().between(1, 200).list().ofMinSize(1).ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 10_000).list().ofMaxSize(6);
    }

    @Property(tries = 300)
    void aConnectCutIntoRandomFramesAndReadsRoutesTheSameAndIsForwardedUnchanged(@ForAll("connects") ConnectSpec spec,
            @ForAll long seed, @ForAll("cuts") List<Integer> cutPoints, @ForAll("chunkings") List<Integer> chunks) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        TreeSet<Integer> cuts = new TreeSet<>();
        cutPoints.forEach(c -> cuts.add(c % (packet.length + 1)));
        byte[] frames = WebSocketBytes.fragmented(packet, cuts.stream().mapToInt(Integer::intValue).toArray(), new Random(seed));
        byte[] stream = Packets.concat(WebSocketBytes.upgrade("/mqtt", "mqtt"), frames);
        Verdict expected = plain.inspect(ByteBuffer.wrap(packet));

        // As the tunnel does: what came so far, inspected after each read, until a decision.
        ByteBuffer inspected = ByteBuffer.allocate(stream.length);
        Verdict verdict = Verdict.NEED_MORE;
        int chunk = 0;
        while (verdict.kind() == Verdict.Kind.NEED_MORE && inspected.hasRemaining()) {
            int n = Math.min(chunks.get(chunk++ % chunks.size()), inspected.remaining());
            inspected.put(stream, inspected.position(), n);
            verdict = overWebSocket.inspect(inspected.duplicate().flip().asReadOnlyBuffer());
        }
        assertSame(expected.kind(), verdict.kind(), verdict::toString);
        assertEquals(expected.key(), verdict.key());
        assertEquals(expected.clientTimeoutNs(), verdict.clientTimeoutNs());
        assertNotNull(verdict.greeting());
        if (verdict.kind() == Verdict.Kind.ROUTE) {
            byte[] forwarded = new byte[verdict.forwarded().remaining()];
            verdict.forwarded().duplicate().get(forwarded);
            assertArrayEquals(Arrays.copyOf(stream, inspected.position()), forwarded, "the bytes inspected, unchanged");
        }
    }
}
