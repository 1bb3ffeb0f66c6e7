package lb.core.proxy;

import static lb.core.proxy.Wire.ascii;
import static lb.core.proxy.Wire.decode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Spec section 2.1: "If the CRLF sequence is not found in the first 107 characters", the line is invalid. */
class V1LineLengthLimitTest {

    @Test
    void oneHundredAndSevenBytesWithoutALineEndAreInvalidAndOneFewerStillWaits() {
        String start = "PROXY TCP4 " + "1".repeat(95);
        assertEquals(106, start.length());
        assertEquals(DecodeResult.NEED_MORE, decode(ascii(start)));
        DecodeResult atLimit = decode(ascii(start + "1"));
        assertEquals(DecodeResult.Status.INVALID, atLimit.status(), atLimit.toString());
        assertTrue(atLimit.reason().contains("no CRLF within 107 bytes"), atLimit.reason());
    }
}
