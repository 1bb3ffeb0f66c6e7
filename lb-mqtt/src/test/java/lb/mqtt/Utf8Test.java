package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "7f", "c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf", "efbbbf", "f0908080",
        "f48fbfbf", "01", "1f", "c29f"})
    void theEdgesOfEachWellFormedRangeAreAccepted(String hex) {
        assertEquals(Utf8.WELL_FORMED, check(hex));
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "bf", "c0af", "c1bf", "e09fbf", "eda080", "edbfbf", "f08fbfbf", "f4908080",
        "f5808080", "ff", "c2", "e0a0", "f09080", "c2c2", "e280e2"})
    void strayOverlongSurrogateTooHighAndCutShortSequencesAreRefused(String hex) {
        assertEquals(Utf8.ILL_FORMED, check(hex));
    }

    @ParameterizedTest
    @ValueSource(strings = {"00", "6100", "c38000"})
    void theNullCharacterIsRefused(String hex) {
        assertEquals(Utf8.HAS_NULL, check(hex));
    }

    @Property(tries = 1000)
    void agreesWithTheJdksStrictDecoderOnArbitraryBytes(@ForAll @Size(max = 12) byte[] bytes) {
        int verdict = Utf8.check(ByteBuffer.wrap(bytes), 0, bytes.length);
        try {
            String decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            assertEquals(decoded.indexOf('\0') >= 0 ? Utf8.HAS_NULL : Utf8.WELL_FORMED, verdict);
            if (verdict == Utf8.WELL_FORMED) {
                assertEquals(decoded, Utf8.decode(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), 0, bytes.length));
            }
        } catch (CharacterCodingException e) {
            assertNotEquals(Utf8.WELL_FORMED, verdict);
        }
    }

    private static int check(String hex) {
        byte[] bytes = Packets.hex(hex);
        return Utf8.check(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
