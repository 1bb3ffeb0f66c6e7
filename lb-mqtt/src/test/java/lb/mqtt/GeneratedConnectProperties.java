package lb.mqtt;

import static lb.mqtt.ConnectAssertions.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every CONNECT the generator makes (all versions, all optional parts, 5.0 properties in any
 * order) parses back to the fields it was made from, however its bytes arrive.
 */
class GeneratedConnectProperties {
    private final MqttConnectParser parser = new MqttConnectParser();

    @Provide
    Arbitrary<ConnectSpec> connects() {
        return ConnectArbitraries.connects();
    }

    @Property(tries = 500)
    void aGeneratedConnectParsesToItsFields(@ForAll("connects") ConnectSpec spec, @ForAll long seed) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        ByteBuffer buffer = ByteBuffer.wrap(packet);
        ParseResult result = parser.parse(buffer);
        assertTrue(result.isValid(), () -> spec + " -> " + result);
        assertEquals(packet.length, result.connect().packetLength());
        assertMatches(spec, result.connect(), buffer);
    }

    @Property(tries = 300)
    void everyProperPrefixNeedsMoreAndTheWholeIsValid(@ForAll("connects") ConnectSpec spec, @ForAll long seed) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        ByteBuffer buffer = ByteBuffer.wrap(packet);
        for (int split = 0; split < packet.length; split++) {
            // The bytes past the limit are there but must not be read.
            assertSame(ParseResult.NEED_MORE, parser.parse(buffer.duplicate().limit(split)), "split at " + split);
        }
        assertTrue(parser.parse(buffer).isValid());
    }

    @Property(tries = 300)
    void arrivingInRandomChunksLikeATunnelReadsThemGivesTheSameFields(
            @ForAll("connects") ConnectSpec spec, @ForAll long seed, @ForAll("chunkings") List<Integer> chunks) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        byte[] publish = Packets.publish("after/connect", "kept for the broker");
        byte[] stream = Packets.concat(packet, publish);
        // As the tunnel does: a direct buffer filling up, inspected through a read-only view.
        ByteBuffer inspected = ByteBuffer.allocateDirect(stream.length);
        int sent = 0;
        int chunk = 0;
        ParseResult result = ParseResult.NEED_MORE;
        while (sent < stream.length) {
            int n = Math.min(chunks.get(chunk++ % chunks.size()), stream.length - sent);
            inspected.put(stream, sent, n);
            sent += n;
            ByteBuffer view = inspected.duplicate().flip().asReadOnlyBuffer();
            result = parser.parse(view);
            if (sent < packet.length) {
                assertSame(ParseResult.NEED_MORE, result, "after " + sent + " bytes");
            } else {
                assertTrue(result.isValid(), "after all " + packet.length + " bytes: " + result);
                assertMatches(spec, result.connect(), view);
            }
        }
        assertEquals(packet.length, result.connect().packetLength());
    }

    @Property(tries = 300)
    void aConnectInsideALargerBufferIsReadFromThePosition(
            @ForAll("connects") ConnectSpec spec, @ForAll long seed, @ForAll byte[] before, @ForAll byte[] after) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        ByteBuffer buffer = ByteBuffer.wrap(Packets.concat(before, packet, after)).position(before.length);
        ParseResult result = parser.parse(buffer);
        assertTrue(result.isValid(), () -> spec + " -> " + result);
        assertEquals(before.length, buffer.position(), "the parser leaves the buffer alone");
        assertMatches(spec, result.connect(), buffer);
    }

    @Provide
    Arbitrary<List<Integer>> chunkings() {
        return Arbitraries.integers().between(1, 64).list().ofMinSize(1).ofMaxSize(8);
    }
}
