package lb.core.proxy;

import static lb.core.proxy.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

/**
 * Version 2 TLVs come in any order (spec section 2.2): a CRC32C vector after others is found and
 * checked all the same (section 2.2.3), and the offsets a refusal names count from the header's
 * first byte, wherever the header sits in the buffer.
 */
class V2ChecksumPlacementTest {
    private static final String SIGNATURE = "0D0A0D0A000D0A515549540A";
    /** TCP over IPv4, 192.168.0.1:56324 -> 192.168.0.11:443, then a 2-byte NOOP and a CRC32C TLV. */
    private static final String CHECKSUM_LAST = SIGNATURE + "21 11 0018  C0A80001 C0A8000B  DC04 01BB"
            + "04 0002 ABCD" + "03 0004 00000000";

    /** The header with its checksum filled in, as a sender computes it over the zeroed field. */
    private static byte[] checksummed(String hexDigits) {
        byte[] bytes = hex(hexDigits);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int value = (int) crc.getValue();
        int at = bytes.length - 4;
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
        return bytes;
    }

    @Test
    void aChecksumAfterAnotherTlvIsFoundVerifiedAndLeftOutOfTheTlvs() {
        byte[] bytes = checksummed(CHECKSUM_LAST);
        DecodeResult result = Wire.decodeOneByteAtATime(bytes);
        assertEquals(ProxyFormat.V2_CRC32C, result.format());
        assertEquals(List.of(Tlv.of(Tlv.NOOP, new byte[] {(byte) 0xAB, (byte) 0xCD})), result.header().tlvs());
    }

    @Test
    void aWrongChecksumAfterAnotherTlvIsCaught() {
        byte[] bytes = checksummed(CHECKSUM_LAST);
        bytes[bytes.length - 1] ^= 1;
        DecodeResult result = Wire.decode(bytes);
        assertEquals(DecodeResult.Status.INVALID, result.status(), result.toString());
        assertTrue(result.reason().contains("CRC32C"), result.reason());
    }

    @Test
    void offsetsInARefusalCountFromTheHeadersFirstByteNotTheBuffers() {
        // A truncated TLV (two bytes) right after the 28 bytes of header and addresses.
        byte[] truncated = hex(SIGNATURE + "21 11 000E  C0A80001 C0A8000B  DC04 01BB  04 00");
        // A TLV whose length runs past the end of the header.
        byte[] overlong = hex(SIGNATURE + "21 11 0010  C0A80001 C0A8000B  DC04 01BB  04 0009 AB");
        assertEquals("PROXY v2: truncated TLV at offset 28", reasonAtPosition(truncated, 7));
        assertEquals("PROXY v2: TLV 0x04 at offset 28 claims 9 bytes, past the header's end",
                reasonAtPosition(overlong, 7));
    }

    private static String reasonAtPosition(byte[] header, int position) {
        ByteBuffer buffer = ByteBuffer.allocate(position + header.length);
        buffer.position(position);
        buffer.put(header);
        buffer.position(position);
        DecodeResult result = Wire.DECODER.decode(buffer);
        assertEquals(DecodeResult.Status.INVALID, result.status(), result.toString());
        assertEquals(position, buffer.position(), "the buffer is left as it was");
        return result.reason();
    }
}
