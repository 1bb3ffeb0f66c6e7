package lb.core.websocket;

import static lb.core.testing.WebSocketBytes.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.core.testing.WebSocketBytes;

class ClientFramesTest {
    private static final byte[] MASK = {1, 2, 3, 4};
    private static final byte[] HELLO = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static ClientFrames.Result read(byte[] bytes) {
        return ClientFrames.read(ByteBuffer.wrap(bytes), 1024);
    }

    private static byte[] data(ClientFrames.Result r) {
        return Arrays.copyOf(r.data(), r.length());
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void aMaskedBinaryFrameIsUnmasked() {
        ClientFrames.Result r = read(frame(2, true, HELLO, MASK));
        assertEquals(ClientFrames.Status.DATA, r.status());
        assertArrayEquals(HELLO, data(r));
    }

    @Test
    void fragmentsAndPingsBetweenThemGiveTheMessageInOrder() {
        byte[] bytes = concat(frame(2, false, "he".getBytes(), MASK), frame(9, true, new byte[3], MASK),
                frame(0, false, "l".getBytes(), MASK), frame(0, true, "lo".getBytes(), MASK));
        assertArrayEquals(HELLO, data(read(bytes)));
    }

    @Test
    void everyPrefixGivesAPrefixOfTheMessage() {
        byte[] bytes = WebSocketBytes.fragmented(new byte[300], new int[] {1, 130}, new Random(7));
        for (int n = 0; n <= bytes.length; n++) {
            ClientFrames.Result r = ClientFrames.read(ByteBuffer.wrap(bytes, 0, n).slice(), 1024);
            assertEquals(ClientFrames.Status.DATA, r.status(), "prefix " + n);
            assertArrayEquals(new byte[r.length()], data(r));
        }
        assertEquals(300, read(bytes).length());
    }

    @Test
    void anUnmaskedFrameIsAProtocolError() {
        ClientFrames.Result r = read(frame(2, true, HELLO, null));
        assertEquals(ClientFrames.Status.INVALID, r.status());
        assertEquals(1002, r.closeCode());
    }

    @Test
    void reservedBitsReservedOpcodesAndStrayContinuationsAreProtocolErrors() {
        byte[] rsv = frame(2, true, HELLO, MASK);
        rsv[0] |= 0x40;
        assertEquals(1002, read(rsv).closeCode());
        assertEquals(1002, read(frame(3, true, HELLO, MASK)).closeCode());
        assertEquals(1002, read(frame(0, true, HELLO, MASK)).closeCode());
        assertEquals(1002, read(concat(frame(2, false, HELLO, MASK), frame(2, true, HELLO, MASK))).closeCode());
        assertEquals(1002, read(frame(9, false, HELLO, MASK)).closeCode());
    }

    @Test
    void aTextFrameIsUnsupportedData() {
        assertEquals(1003, read(frame(1, true, HELLO, MASK)).closeCode());
    }

    @Test
    void aFrameAnnouncingMoreThanTheBoundIsTooBigFromItsHeaderAlone() {
        byte[] big = frame(2, true, new byte[2000], MASK);
        ClientFrames.Result r = ClientFrames.read(ByteBuffer.wrap(big, 0, 8).slice(), 1024);
        assertEquals(1009, r.closeCode());
        byte[] huge = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(1009, read(huge).closeCode(), "a negative 64-bit length");
    }

    @Test
    void aCloseFrameMeansTheClientIsLeaving() {
        assertEquals(ClientFrames.Status.CLOSED, read(frame(8, true, new byte[] {3, (byte) 0xE8}, MASK)).status());
    }
}
