package lb.core.proxy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Version 2 of the PROXY protocol: a binary block (spec section 2.2). Stateless.
 *
 * <pre>
 * offset  bytes  field
 *   0      12    signature  0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
 *  12       1    version (high nibble, always 2) | command (low nibble: 0 LOCAL, 1 PROXY)
 *  13       1    family (high: 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX)
 *                  | transport (low: 0 UNSPEC, 1 STREAM, 2 DGRAM)
 *  14       2    length of the rest, big-endian: the header is 16 + length bytes
 *  16       a    addresses: src, dst, src port, dst port
 *                  INET 4+4+2+2 = 12, INET6 16+16+2+2 = 36, UNIX 108+108 = 216, UNSPEC 0
 *  16+a   rest   TLVs: type (1), length (2, big-endian), value, up to the end
 * </pre>
 *
 * <p>Receiving, as the spec allows (section 2.2, "falls back to the UNSPEC mode"): TCP over IPv4
 * or IPv6 gives the addresses; a PROXY command over UNSPEC, UDP or UNIX gives
 * {@link ProxyHeader.Kind#UNKNOWN}, so the real endpoints are used; LOCAL ignores addresses.
 * Any other version, command or family byte is invalid. The address block a family implies must
 * fit in the length (a LOCAL header too short for it is skipped whole), TLVs must tile the rest
 * exactly, and a CRC32C TLV, if any, must be the only one, 4 bytes, and match (section 2.2.3).
 */
final class V2BinaryFormat {
    static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    static final int FIXED_BYTES = 16;
    /** The length field is 16 bits. */
    static final int MAX_HEADER_BYTES = FIXED_BYTES + 0xFFFF;

    private static final int VERSION = 2;
    private static final int LOCAL = 0x0;
    private static final int PROXY = 0x1;
    private static final int UNSPEC = 0x00;
    private static final int TCP_OVER_IPV4 = 0x11;
    private static final int TCP_OVER_IPV6 = 0x21;
    private static final int CRC_TLV_BYTES = Tlv.HEADER_BYTES + 4;
    private static final byte[] ZERO_CRC = new byte[4];

    private V2BinaryFormat() {
    }

    static int encodedLength(ProxyHeader header, boolean withCrc) {
        int length = FIXED_BYTES + addressBytes(header) + (withCrc ? CRC_TLV_BYTES : 0);
        for (Tlv tlv : header.tlvs()) {
            length += tlv.encodedLength();
        }
        return length;
    }

    /**
     * Writes the block; with {@code withCrc} the CRC32C TLV comes right after the addresses, where
     * senders usually put it.
     */
    static void write(ProxyHeader header, ByteBuffer out, boolean withCrc) {
        int length = encodedLength(header, withCrc);
        if (length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("TLVs too long for a v2 header: " + length + " bytes");
        }
        boolean proxied = header.kind() == ProxyHeader.Kind.PROXY;
        boolean ipv6 = proxied && header.usesIpv6();
        byte[] source = proxied ? ProxyHeader.wireBytes(header.source(), ipv6) : null;
        byte[] destination = proxied ? ProxyHeader.wireBytes(header.destination(), ipv6) : null;
        if (out.remaining() < length) {
            throw new BufferOverflowException();
        }
        int start = out.position();
        out.put(SIGNATURE);
        out.put((byte) (VERSION << 4 | (header.kind() == ProxyHeader.Kind.LOCAL ? LOCAL : PROXY)));
        out.put((byte) (!proxied ? UNSPEC : ipv6 ? TCP_OVER_IPV6 : TCP_OVER_IPV4));
        putU16(out, length - FIXED_BYTES);
        if (proxied) {
            out.put(source).put(destination);
            putU16(out, header.source().getPort());
            putU16(out, header.destination().getPort());
        }
        int crcAt = -1;
        if (withCrc) {
            out.put((byte) Tlv.CRC32C);
            putU16(out, 4);
            crcAt = out.position();
            out.put(ZERO_CRC);
        }
        for (Tlv tlv : header.tlvs()) {
            tlv.writeTo(out);
        }
        if (withCrc) {
            int crc = crc32c(out, start, out.position(), crcAt);
            // Big-endian like every number on the wire; senders and receivers in the field agree.
            out.put(crcAt, (byte) (crc >>> 24)).put(crcAt + 1, (byte) (crc >>> 16))
                    .put(crcAt + 2, (byte) (crc >>> 8)).put(crcAt + 3, (byte) crc);
        }
    }

    private static int addressBytes(ProxyHeader header) {
        if (header.kind() != ProxyHeader.Kind.PROXY) {
            return 0;
        }
        return header.usesIpv6() ? 36 : 12;
    }

    /**
     * Decodes {@code in[position, limit)}, whose first bytes are known to match
     * {@link #SIGNATURE} as far as they go. Reads with absolute gets: the buffer is left as it was.
     */
    static DecodeResult decode(ByteBuffer in, int maxHeaderBytes) {
        int start = in.position();
        int available = in.remaining();
        // Judge each fixed byte as soon as it arrives, so garbage fails without waiting.
        if (available <= 12) {
            return DecodeResult.NEED_MORE;
        }
        int versionCommand = in.get(start + 12) & 0xFF;
        if (versionCommand >>> 4 != VERSION) {
            return DecodeResult.invalid("PROXY v2: version must be 2, was " + (versionCommand >>> 4));
        }
        int command = versionCommand & 0x0F;
        if (command != LOCAL && command != PROXY) {
            return DecodeResult.invalid("PROXY v2: command must be LOCAL (0) or PROXY (1), was " + command);
        }
        if (available == 13) {
            return DecodeResult.NEED_MORE;
        }
        int family = in.get(start + 13) & 0xFF;
        int addressBytes = addressBytes(family);
        if (addressBytes < 0) {
            return DecodeResult.invalid("PROXY v2: unknown address family and transport 0x" + hex(family));
        }
        if (available < FIXED_BYTES) {
            return DecodeResult.NEED_MORE;
        }
        int length = u16(in, start + 14);
        int total = FIXED_BYTES + length;
        if (total > maxHeaderBytes) {
            return DecodeResult.invalid(
                    "PROXY v2: header of " + total + " bytes exceeds the limit of " + maxHeaderBytes);
        }
        boolean hasAddresses = length >= addressBytes;
        if (!hasAddresses && command == PROXY) {
            return DecodeResult.invalid("PROXY v2: length " + length + " is shorter than the "
                    + addressBytes + " address bytes of family 0x" + hex(family));
        }
        if (available < total) {
            return DecodeResult.NEED_MORE;
        }
        int end = start + total;
        // LOCAL ignores the family (section 2.2); if its addresses cannot be there, skip the rest unread.
        int tlvsAt = hasAddresses ? start + FIXED_BYTES + addressBytes : end;
        String problem = tlvProblem(in, start, tlvsAt, end);
        if (problem != null) {
            return DecodeResult.invalid(problem);
        }
        int crcAt = crcValueAt(in, tlvsAt, end);
        if (crcAt >= 0 && crc32c(in, start, end, crcAt) != u32(in, crcAt)) {
            return DecodeResult.invalid("PROXY v2: CRC32C checksum does not match");
        }
        ProxyHeader header = header(in, start, command, family, readTlvs(in, tlvsAt, end));
        return DecodeResult.decoded(header, crcAt >= 0 ? ProxyFormat.V2_CRC32C : ProxyFormat.V2, total);
    }

    /** What is wrong with the TLVs in {@code in[from, end)}, or null if they tile it correctly. */
    private static String tlvProblem(ByteBuffer in, int start, int from, int end) {
        boolean seenCrc = false;
        for (int at = from; at < end; ) {
            if (end - at < Tlv.HEADER_BYTES) {
                return "PROXY v2: truncated TLV at offset " + (at - start);
            }
            int type = in.get(at) & 0xFF;
            int valueBytes = u16(in, at + 1);
            if (valueBytes > end - at - Tlv.HEADER_BYTES) {
                return "PROXY v2: TLV 0x" + hex(type) + " at offset " + (at - start)
                        + " claims " + valueBytes + " bytes, past the header's end";
            }
            if (type == Tlv.CRC32C && seenCrc) {
                return "PROXY v2: more than one CRC32C TLV";
            }
            if (type == Tlv.CRC32C && valueBytes != 4) {
                return "PROXY v2: CRC32C TLV must hold 4 bytes, held " + valueBytes;
            }
            if (type == Tlv.UNIQUE_ID && valueBytes > Tlv.MAX_UNIQUE_ID_BYTES) {
                return "PROXY v2: unique id TLV of " + valueBytes + " bytes exceeds 128";
            }
            seenCrc |= type == Tlv.CRC32C;
            at += Tlv.HEADER_BYTES + valueBytes;
        }
        return null;
    }

    /** Where the checksum's value starts among validated TLVs, or -1 if there is none. */
    private static int crcValueAt(ByteBuffer in, int from, int end) {
        for (int at = from; at < end; at += Tlv.HEADER_BYTES + u16(in, at + 1)) {
            if ((in.get(at) & 0xFF) == Tlv.CRC32C) {
                return at + Tlv.HEADER_BYTES;
            }
        }
        return -1;
    }

    private static ProxyHeader header(ByteBuffer in, int start, int command, int family, List<Tlv> tlvs) {
        if (command == LOCAL) {
            return new ProxyHeader(ProxyHeader.Kind.LOCAL, null, null, tlvs);
        }
        if (family != TCP_OVER_IPV4 && family != TCP_OVER_IPV6) {
            return new ProxyHeader(ProxyHeader.Kind.UNKNOWN, null, null, tlvs);
        }
        int ipBytes = family == TCP_OVER_IPV4 ? 4 : 16;
        int addresses = start + FIXED_BYTES;
        byte[] source = bytes(in, addresses, ipBytes);
        byte[] destination = bytes(in, addresses + ipBytes, ipBytes);
        int sourcePort = u16(in, addresses + 2 * ipBytes);
        int destinationPort = u16(in, addresses + 2 * ipBytes + 2);
        return new ProxyHeader(ProxyHeader.Kind.PROXY, ProxyHeader.socketAddress(source, sourcePort),
                ProxyHeader.socketAddress(destination, destinationPort), tlvs);
    }

    /** Bytes of the address block for a family and transport byte, or -1 if the spec has no such byte. */
    private static int addressBytes(int family) {
        switch (family) {
            case 0x00:
                return 0;
            case 0x11: case 0x12:
                return 12;
            case 0x21: case 0x22:
                return 36;
            case 0x31: case 0x32:
                return 216;
            default:
                return -1;
        }
    }

    /** The TLVs of a validated block in wire order, CRC32C left out. */
    private static List<Tlv> readTlvs(ByteBuffer in, int from, int end) {
        int count = 0;
        for (int at = from; at < end; at += Tlv.HEADER_BYTES + u16(in, at + 1)) {
            count += (in.get(at) & 0xFF) == Tlv.CRC32C ? 0 : 1;
        }
        if (count == 0) {
            return List.of();
        }
        Tlv[] tlvs = new Tlv[count];
        int n = 0;
        for (int at = from; at < end; at += Tlv.HEADER_BYTES + u16(in, at + 1)) {
            int type = in.get(at) & 0xFF;
            if (type != Tlv.CRC32C) {
                tlvs[n++] = Tlv.adopt(type, bytes(in, at + Tlv.HEADER_BYTES, u16(in, at + 1)));
            }
        }
        return List.of(tlvs);
    }

    /** CRC32C of {@code buffer[from, to)} with the 4 bytes at {@code crcAt} taken as zeros. */
    private static int crc32c(ByteBuffer buffer, int from, int to, int crcAt) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buffer.duplicate();
        view.limit(crcAt).position(from);
        crc.update(view);
        crc.update(ZERO_CRC, 0, ZERO_CRC.length);
        view.limit(to).position(crcAt + ZERO_CRC.length);
        crc.update(view);
        return (int) crc.getValue();
    }

    private static byte[] bytes(ByteBuffer in, int at, int count) {
        byte[] out = new byte[count];
        in.get(at, out);
        return out;
    }

    /** Big-endian whatever the buffer's byte order, as the wire is. */
    private static int u16(ByteBuffer in, int at) {
        return (in.get(at) & 0xFF) << 8 | in.get(at + 1) & 0xFF;
    }

    private static int u32(ByteBuffer in, int at) {
        return u16(in, at) << 16 | u16(in, at + 2);
    }

    private static void putU16(ByteBuffer out, int value) {
        out.put((byte) (value >>> 8)).put((byte) value);
    }

    private static String hex(int b) {
        return b < 0x10 ? "0" + Integer.toHexString(b) : Integer.toHexString(b);
    }
}
