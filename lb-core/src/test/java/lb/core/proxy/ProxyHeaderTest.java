package lb.core.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How a header is built and written into the caller's buffers. */
class ProxyHeaderTest {
    private static final ProxyHeader IPV6 = ProxyHeader.proxy(
            address("2001:db8:85a3::8a2e:370:7334", 50123), address("2001:db8::10", 1883))
            .withTlvs(Tlv.authority("broker.example"), Tlv.uniqueId(new byte[] {1, 2, 3}));

    private static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyFormat.class)
    void writingIntoAPooledDirectBufferMatchesEncodingWhateverItsPositionAndByteOrder(ProxyFormat format) {
        byte[] expected = array(IPV6.encode(format));
        ByteBuffer pooled = ByteBuffer.allocateDirect(256).order(ByteOrder.LITTLE_ENDIAN);
        pooled.position(7);

        IPV6.writeTo(pooled, format);

        assertEquals(7 + expected.length, pooled.position());
        assertEquals(expected.length, IPV6.encodedLength(format));
        byte[] written = new byte[expected.length];
        pooled.get(7, written);
        assertArrayEquals(expected, written);
    }

    @ParameterizedTest
    @EnumSource(ProxyFormat.class)
    void aBufferTooSmallGetsNothingWritten(ProxyFormat format) {
        ByteBuffer small = ByteBuffer.allocate(IPV6.encodedLength(format) - 1);
        assertThrows(BufferOverflowException.class, () -> IPV6.writeTo(small, format));
        assertEquals(0, small.position());
        assertArrayEquals(new byte[small.capacity()], small.array());
    }

    @Test
    void encodingReturnsABufferHoldingExactlyTheHeader() {
        ByteBuffer encoded = IPV6.encode(ProxyFormat.V2);
        assertEquals(0, encoded.position());
        assertEquals(16 + 36 + 17 + 6, encoded.remaining());
    }

    @Test
    void tlvsTooLongForTheSixteenBitLengthAreRefusedWhenWritingVersion2() {
        ProxyHeader huge = ProxyHeader.local().withTlvs(Tlv.of(0xE0, new byte[65535]));
        assertThrows(IllegalArgumentException.class, () -> huge.encode(ProxyFormat.V2));
        assertEquals(15, huge.encode(ProxyFormat.V1).remaining(), "version 1 leaves TLVs out");
        ProxyHeader fits = ProxyHeader.local().withTlvs(Tlv.of(0xE0, new byte[65532]));
        assertEquals(65551, fits.encode(ProxyFormat.V2).remaining());
    }

    @Test
    void aHeaderStatesItsAddressesOnlyWhenProxying() {
        InetSocketAddress a = address("10.0.0.1", 1);
        assertThrows(NullPointerException.class, () -> ProxyHeader.proxy(null, a));
        assertThrows(IllegalArgumentException.class,
                () -> ProxyHeader.proxy(InetSocketAddress.createUnresolved("broker.example", 1883), a));
        assertThrows(IllegalArgumentException.class, () -> new ProxyHeader(ProxyHeader.Kind.LOCAL, a, a, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ProxyHeader(ProxyHeader.Kind.UNKNOWN, a, null, List.of()));
    }

    @Test
    void tlvsAreCheckedAndCopied() {
        assertThrows(IllegalArgumentException.class, () -> Tlv.of(Tlv.CRC32C, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> Tlv.of(256, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Tlv.of(-1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Tlv.of(0xE0, new byte[65536]));
        assertThrows(IllegalArgumentException.class, () -> Tlv.uniqueId(new byte[129]));
        assertThrows(IllegalArgumentException.class, () -> Tlv.of(Tlv.UNIQUE_ID, new byte[129]));

        byte[] value = {1, 2};
        Tlv tlv = Tlv.of(0xE1, value);
        value[0] = 9;
        tlv.value()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, tlv.value());
        assertEquals(Tlv.of(0xE1, new byte[] {1, 2}), tlv);
        assertEquals("broker.example", Tlv.authority("broker.example").valueAsString());
    }

    @Test
    void theDecoderLimitStaysWithinWhatBothVersionsAllow() {
        assertThrows(IllegalArgumentException.class, () -> new ProxyHeaderDecoder(106));
        assertThrows(IllegalArgumentException.class, () -> new ProxyHeaderDecoder(65552));
        assertEquals(ProxyHeaderDecoder.DEFAULT_MAX_HEADER_BYTES, new ProxyHeaderDecoder().maxHeaderBytes());
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
