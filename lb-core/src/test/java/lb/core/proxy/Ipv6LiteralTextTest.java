package lb.core.proxy;

import static lb.core.proxy.Wire.ascii;
import static lb.core.proxy.Wire.decode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IPv6 addresses as text in a version 1 line (spec section 2.1, "TCP6"): read as RFC 4291
 * section 2.2 writes them, written as RFC 5952 asks (lowercase, leading zeros dropped, every
 * other digit kept).
 */
class Ipv6LiteralTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"::1::2", "1::2::3", "::1:2::"})
    void aSecondDoubleColonIsRefusedEvenAfterALeadingOne(String literal) {
        DecodeResult result = decode(ascii("PROXY TCP6 " + literal + " ::1 1 2\r\n"));
        assertEquals(DecodeResult.Status.INVALID, result.status(), result.toString());
        assertTrue(result.reason().contains("source address is not an IPv6 literal"), result.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:1000:100:10:1::1", "1000:fff:ff:f:1000:100:10:1", "ffff:1000::"})
    void groupsOfOneToFourDigitsAreWrittenWithEveryDigitAndReadBack(String literal) throws Exception {
        InetSocketAddress source = new InetSocketAddress(InetAddress.getByName(literal), 1);
        InetSocketAddress destination = new InetSocketAddress(InetAddress.getByName("::1"), 2);
        ProxyHeader header = ProxyHeader.proxy(source, destination);
        ByteBuffer line = header.encode(ProxyFormat.V1);
        assertEquals("PROXY TCP6 " + literal + " ::1 1 2\r\n", StandardCharsets.US_ASCII.decode(line.duplicate()).toString());
        assertEquals(header, decode(ascii("PROXY TCP6 " + literal + " ::1 1 2\r\n")).header());
    }
}
