package lb.core.proxy;

import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Version 1 of the PROXY protocol: one US-ASCII line (spec section 2.1). Stateless.
 *
 * <pre>
 * "PROXY" SP "TCP4" SP src-ipv4 SP dst-ipv4 SP src-port SP dst-port CRLF
 * "PROXY" SP "TCP6" SP src-ipv6 SP dst-ipv6 SP src-port SP dst-port CRLF
 * "PROXY" SP "UNKNOWN" [SP text without CR or LF] CRLF
 *
 * SP is exactly one space; ports are decimal 0..65535; numbers have no leading zeros.
 * Longest: "PROXY UNKNOWN " + 2 x 39-char IPv6 + "65535 65535" with separators and CRLF = 107.
 * </pre>
 *
 * <p>Decoding waits for the CRLF before reading any field, as the spec asks, and gives up at 107
 * bytes. After {@code UNKNOWN} the spec tells the receiver to ignore the rest of the line.
 */
final class V1TextFormat {
    /** Section 2.1: "If the CRLF sequence is not found in the first 107 characters ..." */
    static final int MAX_LINE_BYTES = 107;
    static final byte[] PREFIX = ascii("PROXY ");

    private static final byte[] TCP4 = ascii("TCP4");
    private static final byte[] TCP6 = ascii("TCP6");
    private static final byte[] UNKNOWN = ascii("UNKNOWN");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte SPACE = ' ';
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private V1TextFormat() {
    }

    static int encodedLength(ProxyHeader header) {
        if (header.kind() != ProxyHeader.Kind.PROXY) {
            return PREFIX.length + UNKNOWN.length + CRLF.length;
        }
        boolean ipv6 = header.usesIpv6();
        return lineLength(header, ProxyHeader.wireBytes(header.source(), ipv6),
                ProxyHeader.wireBytes(header.destination(), ipv6));
    }

    /** Writes the line; LOCAL becomes UNKNOWN and TLVs are left out, as version 1 has neither. */
    static void write(ProxyHeader header, ByteBuffer out) {
        if (header.kind() != ProxyHeader.Kind.PROXY) {
            requireRoom(out, PREFIX.length + UNKNOWN.length + CRLF.length);
            out.put(PREFIX).put(UNKNOWN).put(CRLF);
            return;
        }
        boolean ipv6 = header.usesIpv6();
        byte[] source = ProxyHeader.wireBytes(header.source(), ipv6);
        byte[] destination = ProxyHeader.wireBytes(header.destination(), ipv6);
        requireRoom(out, lineLength(header, source, destination));
        out.put(PREFIX).put(ipv6 ? TCP6 : TCP4).put(SPACE);
        IpLiteral.write(source, out);
        out.put(SPACE);
        IpLiteral.write(destination, out);
        out.put(SPACE);
        IpLiteral.writeDecimal(header.source().getPort(), out);
        out.put(SPACE);
        IpLiteral.writeDecimal(header.destination().getPort(), out);
        out.put(CRLF);
    }

    private static int lineLength(ProxyHeader header, byte[] source, byte[] destination) {
        return PREFIX.length + TCP4.length + 1
                + IpLiteral.write(source, null) + 1
                + IpLiteral.write(destination, null) + 1
                + IpLiteral.decimalDigits(header.source().getPort()) + 1
                + IpLiteral.decimalDigits(header.destination().getPort())
                + CRLF.length;
    }

    private static void requireRoom(ByteBuffer out, int length) {
        if (out.remaining() < length) {
            throw new BufferOverflowException();
        }
    }

    /**
     * Decodes {@code in[position, limit)}, whose first bytes are known to match {@link #PREFIX}
     * as far as they go. Reads with absolute gets: the buffer is left as it was.
     */
    static DecodeResult decode(ByteBuffer in) {
        int start = in.position();
        int available = in.remaining();
        int scanned = Math.min(available, MAX_LINE_BYTES);
        for (int i = PREFIX.length; i < scanned; i++) {
            byte b = in.get(start + i);
            if (b == LF) {
                return DecodeResult.invalid("PROXY v1: line feed without carriage return");
            }
            if (b == CR) {
                if (i + 1 == MAX_LINE_BYTES) {
                    return tooLong();
                }
                if (i + 1 == available) {
                    return DecodeResult.NEED_MORE;
                }
                if (in.get(start + i + 1) != LF) {
                    return DecodeResult.invalid("PROXY v1: carriage return not followed by line feed");
                }
                return decodeLine(in, start, start + i);
            }
        }
        return available >= MAX_LINE_BYTES ? tooLong() : DecodeResult.NEED_MORE;
    }

    private static DecodeResult tooLong() {
        return DecodeResult.invalid("PROXY v1: no CRLF within " + MAX_LINE_BYTES + " bytes");
    }

    /** Decodes the complete line {@code in[start, cr)}, the CRLF being at {@code cr}. */
    private static DecodeResult decodeLine(ByteBuffer in, int start, int cr) {
        int length = cr + CRLF.length - start;
        int protocol = start + PREFIX.length;
        int protocolEnd = fieldEnd(in, protocol, cr);
        if (matches(in, protocol, protocolEnd, UNKNOWN)) {
            return DecodeResult.decoded(ProxyHeader.unknown(), ProxyFormat.V1, length);
        }
        boolean ipv6 = matches(in, protocol, protocolEnd, TCP6);
        if (!ipv6 && !matches(in, protocol, protocolEnd, TCP4)) {
            return DecodeResult.invalid("PROXY v1: protocol must be TCP4, TCP6 or UNKNOWN");
        }
        String family = ipv6 ? "IPv6" : "IPv4";

        int sourceAt = nextField(protocolEnd, cr);
        int sourceEnd = fieldEnd(in, sourceAt, cr);
        int destinationAt = nextField(sourceEnd, cr);
        int destinationEnd = fieldEnd(in, destinationAt, cr);
        int sourcePortAt = nextField(destinationEnd, cr);
        int sourcePortEnd = fieldEnd(in, sourcePortAt, cr);
        int destinationPortAt = nextField(sourcePortEnd, cr);
        int destinationPortEnd = fieldEnd(in, destinationPortAt, cr);
        if (destinationPortAt > cr) {
            return DecodeResult.invalid("PROXY v1: expected source, destination, source port and destination port");
        }
        if (sourceEnd == sourceAt || destinationEnd == destinationAt
                || sourcePortEnd == sourcePortAt || destinationPortEnd == destinationPortAt) {
            return DecodeResult.invalid("PROXY v1: fields must be separated by exactly one space");
        }
        if (destinationPortEnd != cr) {
            return DecodeResult.invalid("PROXY v1: unexpected text after the destination port");
        }

        byte[] source = ipv6
                ? IpLiteral.parseIpv6(in, sourceAt, sourceEnd)
                : IpLiteral.parseIpv4(in, sourceAt, sourceEnd);
        if (source == null) {
            return DecodeResult.invalid("PROXY v1: source address is not an " + family + " literal");
        }
        byte[] destination = ipv6
                ? IpLiteral.parseIpv6(in, destinationAt, destinationEnd)
                : IpLiteral.parseIpv4(in, destinationAt, destinationEnd);
        if (destination == null) {
            return DecodeResult.invalid("PROXY v1: destination address is not an " + family + " literal");
        }
        int sourcePort = parsePort(in, sourcePortAt, sourcePortEnd);
        if (sourcePort < 0) {
            return DecodeResult.invalid("PROXY v1: source port is not a decimal 0..65535 without leading zeros");
        }
        int destinationPort = parsePort(in, destinationPortAt, destinationPortEnd);
        if (destinationPort < 0) {
            return DecodeResult.invalid("PROXY v1: destination port is not a decimal 0..65535 without leading zeros");
        }
        InetSocketAddress from = ProxyHeader.socketAddress(source, sourcePort);
        InetSocketAddress to = ProxyHeader.socketAddress(destination, destinationPort);
        return DecodeResult.decoded(ProxyHeader.proxy(from, to), ProxyFormat.V1, length);
    }

    /**
     * Start of the field after the separator at {@code separator}, or past {@code cr} when the
     * line ended there. A doubled space thus yields an empty field.
     */
    private static int nextField(int separator, int cr) {
        return separator < cr ? separator + 1 : cr + 1;
    }

    /** Index of the space ending the field starting at {@code from}, or {@code cr}. */
    private static int fieldEnd(ByteBuffer in, int from, int cr) {
        int i = from;
        while (i < cr && in.get(i) != SPACE) {
            i++;
        }
        return Math.max(i, from);
    }

    private static boolean matches(ByteBuffer in, int from, int to, byte[] token) {
        if (to - from != token.length) {
            return false;
        }
        for (int i = 0; i < token.length; i++) {
            if (in.get(from + i) != token[i]) {
                return false;
            }
        }
        return true;
    }

    /** The port in {@code in[from, to)}, or -1 unless it is 1..5 digits, no leading zero, <= 65535. */
    private static int parsePort(ByteBuffer in, int from, int to) {
        int digits = to - from;
        if (digits < 1 || digits > 5 || (digits > 1 && in.get(from) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            byte b = in.get(i);
            if (!IpLiteral.isDigit(b)) {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value <= 0xFFFF ? value : -1;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
