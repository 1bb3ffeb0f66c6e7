package lb.core.proxy;

import static lb.core.proxy.Wire.ascii;
import static lb.core.proxy.Wire.concat;
import static lb.core.proxy.Wire.decode;
import static lb.core.proxy.Wire.decodeOneByteAtATime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Version 1 lines: the spec's examples (section 2.1) and the ways a line can be wrong. */
class V1TextFormatTest {

    private static InetSocketAddress address(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port); // a literal: no lookup
    }

    @Test
    void theSpecsExampleBeforeAnHttpRequestDecodesAndLeavesTheRequest() throws Exception {
        String line = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
        byte[] bytes = ascii(line + "GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n");
        ByteBuffer in = ByteBuffer.wrap(bytes);

        DecodeResult result = Wire.DECODER.decode(in);

        assertEquals(DecodeResult.Status.DECODED, result.status());
        assertEquals(ProxyFormat.V1, result.format());
        assertEquals(line.length(), result.length());
        assertEquals(ProxyHeader.proxy(address("192.168.0.1", 56324), address("192.168.0.11", 443)), result.header());
        assertEquals(0, in.position(), "the decoder leaves the buffer as it was");
        assertEquals(bytes.length, in.limit());
        String rest = new String(bytes, result.length(), bytes.length - result.length(), StandardCharsets.US_ASCII);
        assertTrue(rest.startsWith("GET / HTTP/1.1\r\n"));
    }

    @Test
    void everyExampleDecodesOnlyOnceItsLastByteArrives() throws Exception {
        assertEquals(ProxyHeader.proxy(address("192.168.0.1", 56324), address("192.168.0.11", 443)),
                decodeOneByteAtATime(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")).header());
        assertEquals(ProxyHeader.proxy(address("2001:db8::1", 0), address("::ffff:10.0.0.1", 65535)),
                decodeOneByteAtATime(ascii("PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 0 65535\r\n")).header());
        assertEquals(ProxyHeader.unknown(), decodeOneByteAtATime(ascii("PROXY UNKNOWN\r\n")).header());
    }

    @Test
    void theLongestLinesOfTheSpecFit() {
        String ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] tcp6 = ascii("PROXY TCP6 " + ffff + " " + ffff + " 65535 65535\r\n");
        byte[] unknown = ascii("PROXY UNKNOWN " + ffff + " " + ffff + " 65535 65535\r\n");
        assertEquals(104, tcp6.length);
        assertEquals(107, unknown.length);

        assertEquals(ProxyHeader.Kind.PROXY, decodeOneByteAtATime(tcp6).header().kind());
        assertEquals(ProxyHeader.unknown(), decodeOneByteAtATime(unknown).header());
    }

    @Test
    void aLineWithoutCrlfIn107BytesIsInvalidAtTheLimit() {
        byte[] line = ascii("PROXY UNKNOWN " + "x".repeat(92) + "\r\n");
        assertEquals(108, line.length);

        assertEquals(DecodeResult.NEED_MORE, Wire.DECODER.decode(ByteBuffer.wrap(line, 0, 106)));
        DecodeResult atLimit = Wire.DECODER.decode(ByteBuffer.wrap(line, 0, 107));
        assertEquals(DecodeResult.Status.INVALID, atLimit.status());
        assertEquals("PROXY v1: no CRLF within 107 bytes", atLimit.reason());
        assertEquals(atLimit, decode(line));
        assertEquals(atLimit, decode(ascii("PROXY " + "y".repeat(200))));
    }

    @Test
    void unknownIgnoresTheRestOfItsLine() {
        DecodeResult result = decode(ascii("PROXY UNKNOWN whatever\tthe sender put\r\nhello"));
        assertEquals(ProxyHeader.unknown(), result.header());
        assertEquals(39, result.length());
    }

    @Test
    void hexDigitsOfEitherCaseAndFullGroupsAreAccepted() throws Exception {
        DecodeResult result = decode(ascii("PROXY TCP6 2001:0DB8:0000:0000:0000:0000:0000:00aB fe80::1 1 2\r\n"));
        assertEquals(address("2001:db8::ab", 1), result.header().source());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "PROXY TCP5 1.2.3.4 5.6.7.8 1 2   | PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN",
        "PROXY tcp4 1.2.3.4 5.6.7.8 1 2   | PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN",
        "PROXY UNKNOWNX                   | PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN",
        "PROXY TCP4                       | PROXY v1: expected source, destination, source port and destination port",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1     | PROXY v1: expected source, destination, source port and destination port",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3 | PROXY v1: unexpected text after the destination port",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2~  | PROXY v1: destination port is not a decimal 0..65535 without leading zeros",
        "PROXY TCP4 1.2.3.4  5.6.7.8 1 2  | PROXY v1: fields must be separated by exactly one space",
        "PROXY TCP4  1.2.3.4 5.6.7.8 1 2  | PROXY v1: fields must be separated by exactly one space",
        "'PROXY TCP4 1.2.3.4 5.6.7.8 1 '  | PROXY v1: fields must be separated by exactly one space",
        "PROXY TCP4 01.2.3.4 5.6.7.8 1 2  | PROXY v1: source address is not an IPv4 literal",
        "PROXY TCP4 1.2.3.256 5.6.7.8 1 2 | PROXY v1: source address is not an IPv4 literal",
        "PROXY TCP4 1.2.3 5.6.7.8 1 2     | PROXY v1: source address is not an IPv4 literal",
        "PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2 | PROXY v1: source address is not an IPv4 literal",
        "PROXY TCP4 ::1 5.6.7.8 1 2       | PROXY v1: source address is not an IPv4 literal",
        "PROXY TCP4 1.2.3.4 localhost 1 2 | PROXY v1: destination address is not an IPv4 literal",
        "PROXY TCP6 1.2.3.4 ::1 1 2       | PROXY v1: source address is not an IPv6 literal",
        "PROXY TCP6 ::1 1::2::3 1 2       | PROXY v1: destination address is not an IPv6 literal",
        "PROXY TCP6 ::1 ::1%eth0 1 2      | PROXY v1: destination address is not an IPv6 literal",
        "PROXY TCP4 1.2.3.4 5.6.7.8 01 2  | PROXY v1: source port is not a decimal 0..65535 without leading zeros",
        "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2  | PROXY v1: source port is not a decimal 0..65535 without leading zeros",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536 | PROXY v1: destination port is not a decimal 0..65535 without leading zeros",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 123456 | PROXY v1: destination port is not a decimal 0..65535 without leading zeros",
    })
    void aMalformedLineIsInvalidWithAReasonNamingTheFault(String line, String reason) {
        DecodeResult result = decode(ascii(line + "\r\n"));
        assertEquals(DecodeResult.Status.INVALID, result.status(), result.toString());
        assertEquals(reason, result.reason());
    }

    @Test
    void lineEndsOtherThanCrlfAreInvalid() {
        assertEquals("PROXY v1: line feed without carriage return",
                decode(ascii("PROXY UNKNOWN\n")).reason());
        assertEquals("PROXY v1: carriage return not followed by line feed",
                decode(ascii("PROXY UNKNOWN\rX")).reason());
        assertEquals(DecodeResult.NEED_MORE, decode(ascii("PROXY UNKNOWN\r")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\n", "proxy TCP4", "PROXY\t", "PROXYTCP4", "\u0010\u0000"})
    void bytesThatCannotStartAHeaderAreInvalidAtOnce(String start) {
        byte[] bytes = ascii(start);
        int firstWrong = 0;
        while (firstWrong < 6 && bytes[firstWrong] == "PROXY ".charAt(firstWrong)) {
            firstWrong++;
        }
        DecodeResult result = Wire.DECODER.decode(ByteBuffer.wrap(bytes, 0, firstWrong + 1));
        assertEquals("missing PROXY header", result.reason());
    }

    @Test
    void aLineWithoutAProtocolIsInvalid() {
        assertEquals("PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN", decode(ascii("PROXY \r\n")).reason());
    }

    @Test
    void aPrefixOfProxyIsNotYetJudged() {
        assertEquals(DecodeResult.NEED_MORE, decode(ascii("PROX")));
        assertEquals(DecodeResult.NEED_MORE, decode(new byte[0]));
    }

    @Test
    void encodingWritesTheCanonicalLine() throws Exception {
        assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
                text(ProxyHeader.proxy(address("192.168.0.1", 56324), address("192.168.0.11", 443))));
        assertEquals("PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 0 65535\r\n",
                text(ProxyHeader.proxy(address("2001:db8::1", 0), address("10.0.0.1", 65535))));
        assertEquals("PROXY UNKNOWN\r\n", text(ProxyHeader.unknown()));
        assertEquals("PROXY UNKNOWN\r\n", text(ProxyHeader.local()), "version 1 has no LOCAL");
        assertEquals("PROXY TCP4 0.0.0.0 255.255.255.255 0 1\r\n",
                text(ProxyHeader.proxy(address("0.0.0.0", 0), address("255.255.255.255", 1))
                        .withTlvs(Tlv.authority("example.com"))), "version 1 carries no TLVs");
    }

    @Test
    void anEncodedLineDecodesWithTrailingBytesLeftAlone() throws Exception {
        ProxyHeader header = ProxyHeader.proxy(address("fe80::1:2", 1883), address("::", 8883));
        byte[] line = bytes(header.encode(ProxyFormat.V1));
        DecodeResult result = decode(concat(line, ascii("\u0010rest")));
        assertEquals(header, result.header());
        assertEquals(line.length, result.length());
    }

    private static String text(ProxyHeader header) {
        return StandardCharsets.US_ASCII.decode(header.encode(ProxyFormat.V1)).toString();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
