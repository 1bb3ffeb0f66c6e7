package lb.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Builds wire bytes for the codec's tests and feeds them the way reads would arrive. */
final class Wire {
    static final ProxyHeaderDecoder DECODER = new ProxyHeaderDecoder();

    private Wire() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Hex digits, ignoring spaces and newlines between them. */
    static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits.replaceAll("\\s+", ""));
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }

    static DecodeResult decode(byte[] bytes) {
        return DECODER.decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Feeds {@code header} one more byte per call, as reads of one byte each would: NEED_MORE
     * until the last byte, then the full decode, which is returned.
     */
    static DecodeResult decodeOneByteAtATime(byte[] header) {
        for (int n = 1; n < header.length; n++) {
            assertEquals(DecodeResult.NEED_MORE, DECODER.decode(ByteBuffer.wrap(header, 0, n)),
                    "after " + n + " of " + header.length + " bytes");
        }
        DecodeResult result = DECODER.decode(ByteBuffer.wrap(header));
        assertEquals(DecodeResult.Status.DECODED, result.status(), result.toString());
        assertEquals(header.length, result.length());
        return result;
    }
}
