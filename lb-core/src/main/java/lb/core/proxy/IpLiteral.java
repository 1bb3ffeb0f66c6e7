package lb.core.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * IPv4 and IPv6 address literals as US-ASCII text, read from and written to byte buffers without
 * any name resolution. Stateless.
 *
 * <p>Reading is strict where version 1 of the PROXY protocol is (spec section 2.1): a dotted quad
 * is exactly four decimal numbers 0..255 without leading zeros. IPv6 takes one to four hex digits
 * per group, either case, at most one {@code ::}, and a trailing dotted quad (as in
 * {@code ::ffff:10.0.0.1}, which senders using {@code inet_ntop} emit). Writing follows RFC 5952:
 * lowercase, no leading zeros, the longest run of two or more zero groups shortened to
 * {@code ::}, IPv4-mapped addresses in mixed notation.
 */
final class IpLiteral {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private IpLiteral() {
    }

    /** The 4 bytes of the dotted quad in {@code in[from, to)}, or null if it is not one. */
    static byte[] parseIpv4(ByteBuffer in, int from, int to) {
        byte[] out = new byte[4];
        return parseIpv4(in, from, to, out, 0) ? out : null;
    }

    /** The 16 bytes of the IPv6 literal in {@code in[from, to)}, or null if it is not one. */
    static byte[] parseIpv6(ByteBuffer in, int from, int to) {
        byte[] out = new byte[16];
        return parseIpv6(in, from, to, out) ? out : null;
    }

    private static boolean parseIpv4(ByteBuffer in, int from, int to, byte[] out, int at) {
        int i = from;
        for (int part = 0; ; ) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 3 && isDigit(in.get(i))) {
                value = value * 10 + (in.get(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && in.get(start) == '0')) {
                return false;
            }
            out[at + part++] = (byte) value;
            if (part == 4) {
                return i == to;
            }
            if (i == to || in.get(i) != '.') {
                return false;
            }
            i++;
        }
    }

    private static boolean parseIpv6(ByteBuffer in, int from, int to, byte[] out) {
        if (to - from < 2) {
            return false;
        }
        int groups = 0;
        int gap = -1; // the group index "::" stands at
        int i = from;
        if (in.get(i) == ':') {
            if (in.get(i + 1) != ':') {
                return false;
            }
            gap = 0;
            i += 2;
            if (i == to) {
                return true;
            }
        }
        while (true) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 4 && hexValue(in.get(i)) >= 0) {
                value = value << 4 | hexValue(in.get(i));
                i++;
            }
            if (i < to && in.get(i) == '.') {
                // A dotted quad fills the last 32 bits, so it ends the literal.
                if (groups > 6 || !parseIpv4(in, start, to, out, groups * 2)) {
                    return false;
                }
                groups += 2;
                break;
            }
            if (i == start || groups == 8) {
                return false;
            }
            out[groups * 2] = (byte) (value >>> 8);
            out[groups * 2 + 1] = (byte) value;
            groups++;
            if (i == to) {
                break;
            }
            if (in.get(i) != ':' || ++i == to) {
                return false; // a fifth hex digit, a stray character, or a trailing single colon
            }
            if (in.get(i) == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = groups;
                if (++i == to) {
                    break;
                }
            }
        }
        if (gap < 0) {
            return groups == 8;
        }
        if (groups == 8) {
            return false; // "::" stands for at least one zero group
        }
        int tail = (groups - gap) * 2;
        System.arraycopy(out, gap * 2, out, 16 - tail, tail);
        Arrays.fill(out, gap * 2, 16 - tail, (byte) 0);
        return true;
    }

    /**
     * Writes the 4 or 16 byte {@code address} as text at {@code out}'s position, or only counts
     * the bytes when {@code out} is null, so length and text come from one routine.
     *
     * @return the number of bytes of the text
     */
    static int write(byte[] address, ByteBuffer out) {
        if (address.length == 4) {
            return writeDottedQuad(address, 0, out);
        }
        if (isIpv4Mapped(address)) {
            return put("::ffff:", out) + writeDottedQuad(address, 12, out);
        }
        int runStart = -1;
        int runLength = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int g = 0; g < 8; ) {
            int end = g;
            while (end < 8 && group(address, end) == 0) {
                end++;
            }
            if (end - g > runLength) {
                runStart = g;
                runLength = end - g;
            }
            g = end + 1;
        }
        int n = 0;
        for (int g = 0; g < 8; g++) {
            if (g == runStart) {
                n += put("::", out);
                g += runLength - 1;
                continue;
            }
            if (g > 0 && g != runStart + runLength) {
                n += put(":", out);
            }
            n += writeHex(group(address, g), out);
        }
        return n;
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private static int group(byte[] address, int g) {
        return (address[g * 2] & 0xFF) << 8 | address[g * 2 + 1] & 0xFF;
    }

    private static int writeDottedQuad(byte[] address, int from, ByteBuffer out) {
        int n = 3;
        if (out != null) {
            writeDecimal(address[from] & 0xFF, out);
            for (int i = from + 1; i < from + 4; i++) {
                out.put((byte) '.');
                writeDecimal(address[i] & 0xFF, out);
            }
        }
        for (int i = from; i < from + 4; i++) {
            n += decimalDigits(address[i] & 0xFF);
        }
        return n;
    }

    /** Writes a non-negative {@code value} in decimal without leading zeros. */
    static void writeDecimal(int value, ByteBuffer out) {
        for (int unit = unitOfLeadingDigit(value); unit > 0; unit /= 10) {
            out.put((byte) ('0' + value / unit % 10));
        }
    }

    /** Number of decimal digits of a non-negative {@code value}. */
    static int decimalDigits(int value) {
        int digits = 1;
        while (value >= 10) {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private static int unitOfLeadingDigit(int value) {
        int unit = 1;
        while (value / unit >= 10) {
            unit *= 10;
        }
        return unit;
    }

    private static int writeHex(int group, ByteBuffer out) {
        int digits = group >= 0x1000 ? 4 : group >= 0x100 ? 3 : group >= 0x10 ? 2 : 1;
        if (out != null) {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
                out.put(HEX[group >>> shift & 0xF]);
            }
        }
        return digits;
    }

    private static int put(String ascii, ByteBuffer out) {
        if (out != null) {
            for (int i = 0; i < ascii.length(); i++) {
                out.put((byte) ascii.charAt(i));
            }
        }
        return ascii.length();
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
