package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class VariableByteIntegerTest {

    @Test
    void theSpecTableBoundariesDecodeToTheirValues() {
        assertDecodes(0, "00");
        assertDecodes(127, "7f");
        assertDecodes(128, "8001");
        assertDecodes(16_383, "ff7f");
        assertDecodes(16_384, "808001");
        assertDecodes(2_097_151, "ffff7f");
        assertDecodes(2_097_152, "80808001");
        assertDecodes(268_435_455, "ffffff7f");
    }

    @Test
    void aFifthByteIsTooLongAndAZeroLastByteIsNotMinimal() {
        assertEquals(VariableByteInteger.TOO_LONG, decode("ffffffff7f"));
        assertEquals(VariableByteInteger.TOO_LONG, decode("80808080"));
        assertEquals(VariableByteInteger.NOT_MINIMAL, decode("8000"));
        assertEquals(VariableByteInteger.NOT_MINIMAL, decode("ff8000"));
        assertEquals(VariableByteInteger.NOT_MINIMAL, decode("80808000"));
        assertEquals(VariableByteInteger.NEED_MORE, decode(""));
        assertEquals(VariableByteInteger.NEED_MORE, decode("ffffff"));
    }

    @Property(tries = 1000)
    void encodingThenDecodingGivesTheValueBackInTheShortestForm(@ForAll @IntRange(max = 268_435_455) int value) {
        byte[] encoded = Packets.vbi(value);
        long decoded = VariableByteInteger.decode(ByteBuffer.wrap(encoded), 0, encoded.length);
        assertEquals(value, VariableByteInteger.value(decoded));
        assertEquals(encoded.length, VariableByteInteger.length(decoded));
    }

    @Property(tries = 1000)
    void anyAcceptedEncodingIsTheOneTheEncoderWrites(@ForAll @Size(min = 1, max = 5) byte[] bytes) {
        long decoded = VariableByteInteger.decode(ByteBuffer.wrap(bytes), 0, bytes.length);
        if (decoded >= 0) {
            int length = VariableByteInteger.length(decoded);
            assertArrayEquals(Arrays.copyOf(bytes, length), Packets.vbi(VariableByteInteger.value(decoded)));
        }
    }

    private static void assertDecodes(int value, String hex) {
        long decoded = decode(hex);
        assertEquals(value, VariableByteInteger.value(decoded), hex);
        assertEquals(hex.length() / 2, VariableByteInteger.length(decoded), hex);
    }

    private static long decode(String hex) {
        byte[] bytes = Packets.hex(hex);
        return VariableByteInteger.decode(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
