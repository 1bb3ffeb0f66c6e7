package lb.core.proxy;

import static lb.core.proxy.Wire.ascii;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address literals read and written without name lookups. */
class IpLiteralTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.200"})
    void dottedQuadsReadAsTheirFourBytes(String literal) throws Exception {
        assertArrayEquals(InetAddress.getByName(literal).getAddress(), parse4(literal));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "256.0.0.0", "1.2.3.04",
        "00.1.2.3", "1.2.3.4 ", "+1.2.3.4", "1.2.3.a", "1234.1.1.1", "0x1.2.3.4"})
    void anythingElseIsNotADottedQuad(String text) {
        assertNull(parse4(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "2001:db8::ff00:42:8329", "FE80::0202:B3FF:FE1E:8329",
        "0:0:0:0:0:0:0:1", "1:2:3:4:5:6::8", "1::8", "::ffff:1.2.3.4", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4",
        "0000:0000:0000:0000:0000:0000:0000:0000"})
    void ipv6LiteralsReadAsTheJdkReadsThem(String literal) throws Exception {
        byte[] expected = InetAddress.getByName(literal).getAddress();
        byte[] parsed = parse6(literal);
        if (expected.length == 4) { // the JDK turns IPv4-mapped addresses into IPv4 ones
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(parsed, 12, 16));
        } else {
            assertArrayEquals(expected, parsed);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::2", "1::2:",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", "::1%eth0", "[::1]", "::1.2.3", "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4", "::01.2.3.4", " ::1"})
    void anythingElseIsNotAnIpv6Literal(String text) {
        assertNull(parse6(text));
    }

    @ParameterizedTest
    @CsvSource({
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789, abcd:ef01:2345:6789:abcd:ef01:2345:6789",
        "::ffff:c000:0280, ::ffff:192.0.2.128",
    })
    void ipv6IsWrittenInItsRecommendedTextForm(String literal, String expected) {
        byte[] address = parse6(literal);
        ByteBuffer out = ByteBuffer.allocate(64);
        int length = IpLiteral.write(address, out);
        assertEquals(expected, new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII));
        assertEquals(expected.length(), length);
        assertEquals(length, IpLiteral.write(address, null));
    }

    private static byte[] parse4(String text) {
        byte[] bytes = ascii("<" + text + ">");
        return IpLiteral.parseIpv4(ByteBuffer.wrap(bytes), 1, bytes.length - 1);
    }

    private static byte[] parse6(String text) {
        byte[] bytes = ascii("<" + text + ">");
        return IpLiteral.parseIpv6(ByteBuffer.wrap(bytes), 1, bytes.length - 1);
    }
}
