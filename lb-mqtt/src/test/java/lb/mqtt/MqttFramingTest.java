package lb.mqtt;

import static lb.mqtt.Packets.hex;
import static lb.mqtt.Packets.hexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import lb.core.model.PacketFraming;
import lb.core.model.Termination;

/** Where MQTT packets end, fed whole and byte by byte, and the DISCONNECTs each version gets. */
class MqttFramingTest {
    private final MqttFraming v3 = new MqttFraming(MqttVersion.V3_1_1, false, null);
    private final MqttFraming v5 = new MqttFraming(MqttVersion.V5, false, null);

    @Test
    void aPacketOfHeaderOnlyEndsWithItsHeader() {
        assertEquals(PacketFraming.BOUNDARY, v3.advance(PacketFraming.BOUNDARY, ByteBuffer.wrap(hex("c0 00"))));
        assertEquals(PacketFraming.BOUNDARY, v3.advance(PacketFraming.BOUNDARY, ByteBuffer.wrap(hex("c0 00 d0 00 e0 00"))));
    }

    @Test
    void everyByteOfAPacketWithAMultiByteLengthIsInsideItUntilTheLast() {
        byte[] body = new byte[200];
        byte[] publish = Packets.concat(hex("30"), Packets.vbi(body.length), body);
        int state = PacketFraming.BOUNDARY;
        for (int i = 0; i < publish.length; i++) {
            state = v5.advance(state, ByteBuffer.wrap(publish, i, 1));
            if (i < publish.length - 1) {
                assertTrue(state > 0, "inside at byte " + i);
                int toEnd = v5.bytesToBoundary(state);
                assertTrue(toEnd >= 1 && toEnd <= publish.length - 1 - i, "never past the end: " + toEnd + " at " + i);
            }
        }
        assertEquals(PacketFraming.BOUNDARY, state);
        assertEquals(PacketFraming.BOUNDARY, v5.advance(PacketFraming.BOUNDARY, ByteBuffer.wrap(publish)));
    }

    @Test
    void theBufferIsReadWithoutBeingMoved() {
        ByteBuffer b = ByteBuffer.wrap(hex("ff c0 00 30 02 61 62 ff"), 1, 6);
        v3.advance(PacketFraming.BOUNDARY, b);
        assertEquals(1, b.position());
        assertEquals(7, b.limit());
    }

    @Test
    void reservedTypesAndOverlongLengthsDoNotFrame() {
        assertTrue(v3.advance(0, ByteBuffer.wrap(hex("00 00"))) < 0);
        assertTrue(v5.advance(0, ByteBuffer.wrap(hex("00 00"))) < 0);
        assertTrue(v3.advance(0, ByteBuffer.wrap(hex("f0 00"))) < 0, "AUTH is reserved before 5.0");
        assertEquals(PacketFraming.BOUNDARY, v5.advance(0, ByteBuffer.wrap(hex("f0 00"))), "5.0 AUTH");
        int tooLong = v5.advance(0, ByteBuffer.wrap(hex("30 ff ff ff ff 01")));
        assertTrue(tooLong < 0);
        assertTrue(v5.malformation(tooLong).contains("four bytes"), v5.malformation(tooLong));
        assertEquals(tooLong, v5.advance(tooLong, ByteBuffer.wrap(hex("c0 00"))), "once broken, it stays so");
        assertTrue(v3.malformation(v3.advance(0, ByteBuffer.wrap(hex("00")))).contains("reserved"));
    }

    @Test
    void theLargestLengthFrames() {
        int state = v5.advance(0, ByteBuffer.wrap(hex("30 ff ff ff 7f")));
        assertEquals(VariableByteInteger.MAX_VALUE, state);
        assertEquals(VariableByteInteger.MAX_VALUE, v5.bytesToBoundary(state));
    }

    @Test
    void theBrokerIsToldTheClientLeftNormallySoNoWillIsPublished() {
        assertEquals("e000", hexOf(bytes(v3.farewellToServer(Termination.SHUTDOWN))));
        assertEquals("e000", hexOf(bytes(v5.farewellToServer(Termination.SERVER_REMOVED))));
    }

    @Test
    void withTheWillAsked3Point1Point1SendsNothingAnd5AsksForTheWill() {
        assertNull(new MqttFraming(MqttVersion.V3_1_1, true, null).farewellToServer(Termination.SHUTDOWN));
        assertEquals("e0020400", hexOf(bytes(new MqttFraming(MqttVersion.V5, true, null).farewellToServer(Termination.SHUTDOWN))));
    }

    @Test
    void a5ClientHearsShuttingDownOrUseAnotherServerAndA311ClientNothing() {
        assertEquals("e0028b00", hexOf(bytes(v5.farewellToClient(Termination.SHUTDOWN))));
        assertEquals("e0029c00", hexOf(bytes(v5.farewellToClient(Termination.SERVER_REMOVED))));
        assertEquals("e0029c00", hexOf(bytes(v5.farewellToClient(Termination.REBALANCED))));
        assertEquals("e0029c00", hexOf(bytes(v5.farewellToClient(Termination.SERVER_DOWN))));
        assertNull(v3.farewellToClient(Termination.SHUTDOWN));
    }

    @Test
    void useAnotherServerCarriesTheServerReference() {
        MqttFraming referring = new MqttFraming(MqttVersion.V5, false, "mqtt-b.example:1883");
        // E0, remaining length 24, reason 9C, property length 22: 1C, string length 19, the reference
        assertEquals("e0189c161c0013" + hexOf("mqtt-b.example:1883".getBytes()),
                hexOf(bytes(referring.farewellToClient(Termination.REBALANCED))));
        assertEquals("e0028b00", hexOf(bytes(referring.farewellToClient(Termination.SHUTDOWN))));
    }

    @Test
    void eachCallerGetsAFarewellOfItsOwnToWrite() {
        ByteBuffer first = v5.farewellToClient(Termination.SHUTDOWN);
        first.position(first.limit());
        assertEquals(4, v5.farewellToClient(Termination.SHUTDOWN).remaining());
    }

    @Test
    void trackingPacketsAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer stream = ByteBuffer.wrap(hex("30 05 00 01 61 62 63 c0 00 40 02 00 01 32 81 01"));
        long sink = 0;
        for (int i = 0; i < 10_000; i++) {
            sink += v5.advance(PacketFraming.BOUNDARY, stream); // warm up
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += v5.advance(PacketFraming.BOUNDARY, stream);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // under a byte a call: what remains is the JIT's own, not the calls'
        assertTrue(allocated < 100_000, "advance allocated " + allocated + " bytes over 100,000 calls (" + sink + ")");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
