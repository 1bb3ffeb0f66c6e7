package lb.core.proxy;

import static lb.core.proxy.Wire.ascii;
import static lb.core.proxy.Wire.concat;
import static lb.core.proxy.Wire.decode;
import static lb.core.proxy.Wire.decodeOneByteAtATime;
import static lb.core.proxy.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

/** Version 2 blocks: examples built from the spec's layout (section 2.2) and the ways they fail. */
class V2BinaryFormatTest {
    private static final String SIGNATURE = "0D0A0D0A000D0A515549540A";

    /** TCP over IPv4, 192.168.0.1:56324 -> 192.168.0.11:443, the addresses of the v1 example. */
    private static final byte[] TCP4 = hex(SIGNATURE + "21 11 000C  C0A80001 C0A8000B  DC04 01BB");

    /**
     * A header as a cloud network load balancer sends it: CRC32C first, then a custom TLV (0xEA)
     * holding an endpoint id, then NOOP padding. 172.31.7.113:51442 -> 172.31.10.31:80.
     */
    private static final byte[] CLOUD = hex(SIGNATURE + """
            21 11 0054  AC1F0771 AC1F0A1F  C8F2 0050
            03 0004 E8D6892D
            EA 0017 01 7670 6365 2D30 3864 3262 6631 3566 6163 3530 3031 6339
            04 0024 000000000000000000000000000000000000000000000000000000000000000000000000
            """);

    private static InetSocketAddress address(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port); // a literal: no lookup
    }

    @Test
    void tcpOverIpv4DecodesOnlyOnceItsLastByteArrives() throws Exception {
        DecodeResult result = decodeOneByteAtATime(TCP4);
        assertEquals(ProxyFormat.V2, result.format());
        assertEquals(28, result.length());
        assertEquals(ProxyHeader.proxy(address("192.168.0.1", 56324), address("192.168.0.11", 443)), result.header());
    }

    @Test
    void tcpOverIpv6DecodesBothAddressesAndPorts() throws Exception {
        byte[] bytes = hex(SIGNATURE + "21 21 0024"
                + "20010DB8000000000000000000000001" + "00000000000000000000FFFF0A000001" + "0000 FFFF");
        DecodeResult result = decodeOneByteAtATime(bytes);
        assertEquals(ProxyHeader.proxy(address("2001:db8::1", 0), address("10.0.0.1", 65535)), result.header());
    }

    @Test
    void aCloudBalancersHeaderDecodesWithItsChecksumVerified() throws Exception {
        DecodeResult result = decodeOneByteAtATime(CLOUD);
        assertEquals(ProxyFormat.V2_CRC32C, result.format());
        assertEquals(100, result.length());
        ProxyHeader header = result.header();
        assertEquals(address("172.31.7.113", 51442), header.source());
        assertEquals(address("172.31.10.31", 80), header.destination());
        assertEquals(List.of(0xEA, Tlv.NOOP), header.tlvs().stream().map(Tlv::type).toList());
        assertEquals("\u0001vpce-08d2bf15fac5001c9", header.tlvs().get(0).valueAsString());
    }

    @Test
    void encodingMatchesTheCloudBalancersHeaderByteForByte() throws Exception {
        ProxyHeader header = ProxyHeader.proxy(address("172.31.7.113", 51442), address("172.31.10.31", 80))
                .withTlvs(Tlv.of(0xEA, ascii("\u0001vpce-08d2bf15fac5001c9")), Tlv.of(Tlv.NOOP, new byte[36]));
        assertArrayEquals(CLOUD, array(header.encode(ProxyFormat.V2_CRC32C)));
    }

    @Test
    void encodingWritesTheSpecsLayout() throws Exception {
        assertArrayEquals(TCP4, array(
                ProxyHeader.proxy(address("192.168.0.1", 56324), address("192.168.0.11", 443)).encode(ProxyFormat.V2)));
        assertArrayEquals(hex(SIGNATURE + "20 00 0000"), array(ProxyHeader.local().encode(ProxyFormat.V2)));
        assertArrayEquals(hex(SIGNATURE + "21 00 0000"), array(ProxyHeader.unknown().encode(ProxyFormat.V2)));
        assertArrayEquals(hex(SIGNATURE + "20 00 0012  02 000B 6578616D706C652E636F6D  05 0001 2A"),
                array(ProxyHeader.local().withTlvs(Tlv.authority("example.com"), Tlv.uniqueId(new byte[] {42}))
                        .encode(ProxyFormat.V2)));
    }

    @Test
    void theChecksumIsTheCrc32cOfTheWholeHeaderWithItsFieldZeroedBigEndian() {
        byte[] bytes = array(ProxyHeader.local().withTlvs(Tlv.authority("broker.example")).encode(ProxyFormat.V2_CRC32C));
        byte[] zeroed = bytes.clone();
        int valueAt = 16 + 3;
        zeroed[valueAt] = zeroed[valueAt + 1] = zeroed[valueAt + 2] = zeroed[valueAt + 3] = 0;
        CRC32C crc = new CRC32C();
        crc.update(zeroed);
        assertEquals((int) crc.getValue(), ByteBuffer.wrap(bytes, valueAt, 4).getInt());
        assertEquals(ProxyFormat.V2_CRC32C, decode(bytes).format());
    }

    @Test
    void localKeepsItsTlvsAndIgnoresAnyAddresses() {
        DecodeResult bare = decodeOneByteAtATime(hex(SIGNATURE + "20 00 0000"));
        assertEquals(ProxyHeader.local(), bare.header());
        assertEquals(16, bare.length());

        DecodeResult withAddresses = decode(hex(SIGNATURE + "20 11 0011  7F000001 7F000001 0001 0002  04 0002 0000"));
        assertEquals(ProxyHeader.local().withTlvs(Tlv.of(Tlv.NOOP, new byte[2])), withAddresses.header());
        assertNull(withAddresses.header().source());

        DecodeResult tooShortForItsFamily = decode(hex(SIGNATURE + "20 21 0004  04 0001 00"));
        assertEquals(ProxyHeader.local(), tooShortForItsFamily.header(), "the family of LOCAL is ignored");
        assertEquals(20, tooShortForItsFamily.length());
    }

    @Test
    void proxiedConnectionsTheHeaderCannotExpressFallBackToUnknown() {
        assertEquals(ProxyHeader.unknown(), decode(hex(SIGNATURE + "21 00 0000")).header());
        assertEquals(ProxyHeader.unknown(), decode(hex(SIGNATURE + "21 12 000C" + "00".repeat(12))).header());
        assertEquals(ProxyHeader.unknown(), decode(hex(SIGNATURE + "21 22 0024" + "00".repeat(36))).header());
        assertEquals(ProxyHeader.unknown(), decode(hex(SIGNATURE + "21 31 00D8" + "00".repeat(216))).header());
        assertEquals(ProxyHeader.unknown(), decode(hex(SIGNATURE + "21 32 00D8" + "00".repeat(216))).header());
    }

    @Test
    void bytesAfterTheHeaderAreTheClientsAndLeftAlone() {
        byte[] bytes = concat(TCP4, hex("101000044D5154540402"));
        ByteBuffer in = ByteBuffer.wrap(bytes);
        DecodeResult result = Wire.DECODER.decode(in);
        assertEquals(28, result.length());
        assertEquals(0, in.position());
        assertEquals(bytes.length, in.limit());
    }

    @Test
    void wrongVersionCommandOrFamilyIsInvalidAsSoonAsItsByteArrives() {
        assertEquals("PROXY v2: version must be 2, was 1", decode(hex(SIGNATURE + "11")).reason());
        assertEquals("PROXY v2: version must be 2, was 0", decode(hex(SIGNATURE + "01")).reason());
        assertEquals("PROXY v2: command must be LOCAL (0) or PROXY (1), was 2", decode(hex(SIGNATURE + "22")).reason());
        assertEquals("PROXY v2: unknown address family and transport 0x41", decode(hex(SIGNATURE + "21 41")).reason());
        assertEquals("PROXY v2: unknown address family and transport 0x13", decode(hex(SIGNATURE + "21 13")).reason());
        assertEquals("PROXY v2: unknown address family and transport 0x10", decode(hex(SIGNATURE + "20 10")).reason());
    }

    @Test
    void aBrokenSignatureIsInvalidAtItsFirstWrongByte() {
        assertEquals(DecodeResult.NEED_MORE, decode(hex("0D0A0D0A00")));
        assertEquals("missing PROXY header", decode(hex("0D0A0D0A01")).reason());
        assertEquals("missing PROXY header", decode(hex("0D0A0D0A000D0A515549540B")).reason());
    }

    @Test
    void lengthsThatCannotHoldTheAddressesOrExceedTheLimitAreInvalidBeforeTheBodyArrives() {
        assertEquals("PROXY v2: length 8 is shorter than the 12 address bytes of family 0x11",
                decode(hex(SIGNATURE + "21 11 0008")).reason());
        assertEquals("PROXY v2: length 0 is shorter than the 36 address bytes of family 0x21",
                decode(hex(SIGNATURE + "21 21 0000")).reason());
        assertEquals("PROXY v2: header of 65551 bytes exceeds the limit of 1024",
                decode(hex(SIGNATURE + "21 00 FFFF")).reason());
        assertEquals(DecodeResult.Status.DECODED,
                new ProxyHeaderDecoder(65551).decode(ByteBuffer.wrap(concat(hex(SIGNATURE + "21 00 FFFF"),
                        hex("04FFFC"), new byte[0xFFFC]))).status());
    }

    @Test
    void tlvsMustTileTheRestOfTheHeaderExactly() {
        assertEquals("PROXY v2: truncated TLV at offset 16",
                decode(hex(SIGNATURE + "21 00 0002  0400")).reason());
        assertEquals("PROXY v2: TLV 0x02 at offset 28 claims 10 bytes, past the header's end",
                decode(hex(SIGNATURE + "21 11 0014  7F000001 7F000001 0001 0002  02 000A 6162636465")).reason());
    }

    @Test
    void aChecksumMustBeSingleFourBytesAndMatch() {
        assertEquals("PROXY v2: CRC32C TLV must hold 4 bytes, held 3",
                decode(hex(SIGNATURE + "20 00 0006  03 0003 000000")).reason());
        assertEquals("PROXY v2: more than one CRC32C TLV",
                decode(hex(SIGNATURE + "20 00 000E  03 0004 00000000  03 0004 00000000")).reason());

    }

    @Test
    void anyFlippedBitInTheAddressesOrValuesOfAChecksummedHeaderIsCaught() {
        // CLOUD: addresses 16..27, checksum value 31..34, endpoint id value 38..60, padding 64..99.
        int[][] covered = {{16, 28}, {31, 35}, {38, 61}, {64, 100}};
        for (int[] range : covered) {
            for (int i = range[0]; i < range[1]; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] corrupted = CLOUD.clone();
                    corrupted[i] ^= (byte) (1 << bit);
                    assertEquals("PROXY v2: CRC32C checksum does not match", decode(corrupted).reason(),
                            "byte " + i + " bit " + bit);
                }
            }
        }
    }

    @Test
    void aUniqueIdLongerThan128BytesIsInvalid() {
        assertEquals("PROXY v2: unique id TLV of 129 bytes exceeds 128",
                decode(concat(hex(SIGNATURE + "20 00 0084  05 0081"), new byte[129])).reason());
        assertEquals(DecodeResult.Status.DECODED,
                decode(concat(hex(SIGNATURE + "20 00 0083  05 0080"), new byte[128])).status());
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
