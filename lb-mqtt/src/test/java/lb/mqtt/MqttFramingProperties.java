package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import lb.core.model.PacketFraming;

/**
 * The framing under random MQTT packet streams cut into random chunks, and the way the engine
 * uses it to put a packet of its own in: read no further than {@code bytesToBoundary} once an
 * insertion is wanted, insert at the next boundary. Insertions land only between packets, and
 * every other byte comes through as it was.
 */
class MqttFramingProperties {
    private static final byte[] MARK = {(byte) 0xE0, 0x00};
    private final MqttFraming framing = new MqttFraming(MqttVersion.V5, false, null);

    @Property(tries = 300)
    void chunkEndsAreBoundariesExactlyWhereAPacketEnds(@ForAll("packets") List<byte[]> packets,
                                                       @ForAll @Size(max = 40) List<@IntRange(min = 1, max = 300) Integer> chunks) {
        byte[] stream = Packets.concat(packets.toArray(new byte[0][]));
        TreeSet<Integer> boundaries = boundaries(packets);
        int state = PacketFraming.BOUNDARY;
        int at = 0;
        int c = 0;
        while (at < stream.length) {
            int n = Math.min(stream.length - at, chunks.isEmpty() ? 7 : chunks.get(c++ % chunks.size()));
            state = framing.advance(state, ByteBuffer.wrap(stream, at, n));
            at += n;
            assertTrue(state >= 0, "a valid stream frames");
            assertEquals(boundaries.contains(at), state == PacketFraming.BOUNDARY, "boundary at " + at);
            if (state != PacketFraming.BOUNDARY) {
                int next = boundaries.higher(at);
                assertTrue(framing.bytesToBoundary(state) >= 1 && framing.bytesToBoundary(state) <= next - at,
                        "reading " + framing.bytesToBoundary(state) + " at " + at + " stays within the packet ending at " + next);
            }
        }
    }

    @Property(tries = 300)
    void insertionsLandBetweenPacketsAndLeaveEveryOtherByteAsItWas(
            @ForAll("packets") List<byte[]> packets,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 300) Integer> chunks,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 2000) Integer> wantedAt) {
        byte[] stream = Packets.concat(packets.toArray(new byte[0][]));
        TreeSet<Integer> boundaries = boundaries(packets);
        TreeSet<Integer> wants = new TreeSet<>(wantedAt);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> insertedAt = new ArrayList<>();
        int state = PacketFraming.BOUNDARY;
        boolean wanting = false;
        int at = 0;
        int c = 0;
        while (at < stream.length) {
            if (!wanting && !wants.isEmpty() && wants.first() <= at) {
                wants.pollFirst();
                wanting = true;
            }
            if (wanting && state == PacketFraming.BOUNDARY) {
                insertedAt.add(at);
                out.writeBytes(MARK);
                wanting = false;
                continue;
            }
            int n = Math.min(stream.length - at, chunks.get(c++ % chunks.size()));
            if (wanting) {
                n = Math.min(n, framing.bytesToBoundary(state)); // the relay's limited read
            }
            state = framing.advance(state, ByteBuffer.wrap(stream, at, n));
            out.write(stream, at, n);
            at += n;
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int from = 0;
        for (int i : insertedAt) {
            assertTrue(boundaries.contains(i), "inserted at " + i + ", a packet boundary");
            expected.write(stream, from, i - from);
            expected.writeBytes(MARK);
            from = i;
        }
        expected.write(stream, from, stream.length - from);
        assertArrayEquals(expected.toByteArray(), out.toByteArray(), "bytes otherwise identical");
    }

    @Property(tries = 500)
    void arbitraryBytesNeverThrowAndABrokenStreamStaysBroken(@ForAll @Size(max = 64) List<Byte> bytes,
                                                             @ForAll @IntRange(min = 1, max = 9) int chunk) {
        byte[] b = new byte[bytes.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = bytes.get(i);
        }
        int state = PacketFraming.BOUNDARY;
        boolean broken = false;
        for (int at = 0; at < b.length; at += chunk) {
            state = framing.advance(state, ByteBuffer.wrap(b, at, Math.min(chunk, b.length - at)));
            assertTrue(!broken || state < 0, "broken stays broken");
            broken = state < 0;
            if (state > 0) {
                assertTrue(framing.bytesToBoundary(state) >= 1);
            }
        }
    }

    @Provide
    Arbitrary<List<byte[]>> packets() {
        Arbitrary<Integer> types = Arbitraries.integers().between(1, 15);
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 15);
        // lengths across the one-, two- and three-byte encodings
        Arbitrary<Integer> lengths = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 127)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(128, 2000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(16_383, 16_384, 20_000)));
        Arbitrary<byte[]> packet = Combinators.combine(types, flags, lengths).as((t, f, n) -> {
            byte[] body = new byte[n];
            for (int i = 0; i < n; i++) {
                body[i] = (byte) (i * 7 + t);
            }
            return Packets.concat(new byte[] {(byte) (t << 4 | f)}, Packets.vbi(n), body);
        });
        return packet.list().ofMinSize(1).ofMaxSize(20);
    }

    private static TreeSet<Integer> boundaries(List<byte[]> packets) {
        TreeSet<Integer> at = new TreeSet<>();
        int offset = 0;
        at.add(0);
        for (byte[] p : packets) {
            offset += p.length;
            at.add(offset);
        }
        return at;
    }
}
