package lb.examples.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    @Test
    void packetFedOneByteAtATimeIsHandedOverOnlyWhenComplete() {
        byte[] packet = packets(1, 300);
        FrameReader reader = new FrameReader(1 << 20);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < packet.length; i++) {
            assertEquals(0, reader.accept(ByteBuffer.wrap(packet, i, 1), collect(seen)));
            assertEquals(i == packet.length - 1 ? 1 : 0, seen.size(), "after byte " + i);
        }
        assertFalse(reader.hasPartialPacket());
    }

    @Test
    void lengthAboveTheMaximumIsMalformed() {
        PacketWriter w = new PacketWriter();
        MqttEncoder.publish(w, 4, 0, 0, "t".getBytes(StandardCharsets.UTF_8), new byte[200], 0, 200);
        FrameReader reader = new FrameReader(100);
        assertEquals(FrameReader.MALFORMED, reader.accept(ByteBuffer.wrap(w.toByteArray()), collect(new ArrayList<>())));
    }

    @Test
    void fiveByteRemainingLengthIsMalformed() {
        byte[] bad = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        assertEquals(FrameReader.MALFORMED, new FrameReader(Integer.MAX_VALUE).accept(ByteBuffer.wrap(bad), (f, b, s, e) -> true));
    }

    @Test
    void handlerThatStopsEndsTheRead() {
        byte[] stream = packets(3, 10);
        List<String> seen = new ArrayList<>();
        int status = new FrameReader(1 << 20).accept(ByteBuffer.wrap(stream), (f, b, s, e) -> seen.add("x") && false);
        assertEquals(FrameReader.STOPPED, status);
        assertEquals(1, seen.size());
    }

    @Property(tries = 200)
    void anySplitOfAStreamYieldsTheSamePackets(
            @ForAll @IntRange(min = 1, max = 8) int count,
            @ForAll @IntRange(min = 0, max = 20_000) int payloadSize,
            @ForAll @Size(max = 12) List<@IntRange(min = 1, max = 5_000) Integer> cuts) {
        byte[] stream = packets(count, payloadSize);
        List<String> seen = new ArrayList<>();
        FrameReader reader = new FrameReader(1 << 20);
        int at = 0;
        for (int cut : cuts) {
            int length = Math.min(cut, stream.length - at);
            reader.accept(ByteBuffer.wrap(stream, at, length), collect(seen));
            at += length;
        }
        reader.accept(ByteBuffer.wrap(stream, at, stream.length - at), collect(seen));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add("t/" + i + ":" + payloadSize);
        }
        assertEquals(expected, seen);
        assertFalse(reader.hasPartialPacket());
    }

    @Test
    void partOfASecondPacketIsKeptUntilItCompletes() {
        byte[] stream = packets(2, 1_000);
        List<String> seen = new ArrayList<>();
        FrameReader reader = new FrameReader(1 << 20);
        int firstEnd = stream.length / 2 + 10;
        reader.accept(ByteBuffer.wrap(Arrays.copyOfRange(stream, 0, firstEnd)), collect(seen));
        assertEquals(1, seen.size());
        assertTrue(reader.hasPartialPacket());
        reader.accept(ByteBuffer.wrap(Arrays.copyOfRange(stream, firstEnd, stream.length)), collect(seen));
        assertEquals(2, seen.size());
    }

    /** {@code count} QoS 0 PUBLISH packets to {@code t/i}, each with {@code payloadSize} bytes. */
    private static byte[] packets(int count, int payloadSize) {
        PacketWriter w = new PacketWriter();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[payloadSize];
            Arrays.fill(payload, (byte) i);
            MqttEncoder.publish(w, 4, 0, 0, ("t/" + i).getBytes(StandardCharsets.UTF_8), payload, 0, payload.length);
        }
        return w.toByteArray();
    }

    private static FrameHandler collect(List<String> seen) {
        PacketCursor cursor = new PacketCursor();
        return (firstByte, buf, start, end) -> {
            cursor.reset(buf, start, end);
            String topic = cursor.string();
            seen.add(topic + ":" + cursor.remaining());
            return true;
        };
    }
}
