package lb.core.tls;

import java.nio.ByteBuffer;

/**
 * Reads the ClientHello at the start of a TLS connection, without terminating TLS, so a
 * passthrough route can pick a server by the SNI host name or the ALPN protocols. Immutable and
 * stateless: one instance serves every loop, and each call judges all the bytes received so far,
 * so a hello split across reads, even one byte per read, needs no state between calls.
 *
 * <p>The hello travels in handshake records (RFC 8446 section 5.1), possibly several, since a
 * handshake message may be fragmented across records:
 *
 * <pre>
 * TLSPlaintext record
 * offset  bytes  field
 *   0      1     content_type            22 (handshake); anything else first is NOT_TLS
 *   1      2     legacy_record_version   3.0 to 3.3 (3.1 usual for a first hello); major != 3 is NOT_TLS
 *   3      2     length                  1 to 16384 (2^14)
 *   5      n     fragment                the next n bytes of the handshake stream
 *
 * Handshake message, carried in the fragments (RFC 8446 section 4)
 *   0      1     msg_type                1 (client_hello); anything else is NOT_TLS
 *   1      3     length                  of the body: the ClientHello (see ClientHelloBody)
 *   4      n     body
 * </pre>
 *
 * <p>Strict: a record of another type before the hello is whole (section 5.1 forbids
 * interleaving), an empty or oversized record, a body shorter than its fixed fields, a hello
 * past the configured maximum, and any length inside the body that disagrees with its container
 * are all MALFORMED. What follows the hello, in its last record or after, is left alone.
 */
public final class ClientHelloParser {
    /**
     * A hello of 16 KiB, a full record's worth (with post-quantum key shares hellos reach about
     * 2 KiB; session tickets and PSKs make the rest), plus headers for eight records to carry it.
     */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 + 8 * 5;

    static final int RECORD_HEADER_BYTES = 5;
    static final int HANDSHAKE_HEADER_BYTES = 4;
    static final int MAX_FRAGMENT_BYTES = 1 << 14;
    private static final int CONTENT_HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    /** Smallest wire size of anything that could be a hello: one header of each kind and a body. */
    private static final int MIN_MAX_BYTES = RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES + ClientHelloBody.MIN_BYTES;

    private final int maxBytes;

    /** A parser accepting hellos of up to {@link #DEFAULT_MAX_BYTES} on the wire. */
    public ClientHelloParser() {
        this(DEFAULT_MAX_BYTES);
    }

    /**
     * A parser accepting hellos whose records, headers included, take at most {@code maxBytes};
     * a longer one is MALFORMED as soon as its handshake length or a record header says so.
     */
    public ClientHelloParser(int maxBytes) {
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_MAX_BYTES + ", was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Judges {@code bytesSoFar}, from its position to its limit: everything the client sent so
     * far. Leaves the buffer's position, limit and contents as they were, and never throws for
     * any content. Answering NEED_MORE allocates nothing; a hello costs its own objects, plus a
     * copy of the body when it came in several records.
     */
    public HelloResult parse(ByteBuffer bytesSoFar) {
        int start = bytesSoFar.position();
        int end = bytesSoFar.limit();
        int record = start;       // where the current record header begins
        int seen = 0;             // handshake bytes in the records before this one
        int bodyLength = -1;      // once the handshake header is in
        int records = 0;
        while (true) {
            HelloResult header = judgeRecordHeader(bytesSoFar, record, end, records == 0);
            if (header != null) {
                return header;
            }
            records++;
            int fragment = record + RECORD_HEADER_BYTES;
            int fragmentEnd = fragment + u16(bytesSoFar, record + 3);
            int stop = Math.min(fragmentEnd, end);
            // The handshake header may itself be split across records.
            while (seen < HANDSHAKE_HEADER_BYTES && fragment < stop) {
                int b = bytesSoFar.get(fragment) & 0xFF;
                if (seen == 0 && b != CLIENT_HELLO) {
                    return HelloResult.notTls("handshake message type " + b + " is not a ClientHello");
                }
                bodyLength = seen == 0 ? 0 : bodyLength << 8 | b;
                fragment++;
                seen++;
                if (seen == HANDSHAKE_HEADER_BYTES) {
                    HelloResult size = judgeBodyLength(bodyLength, fragment - start);
                    if (size != null) {
                        return size;
                    }
                }
            }
            if (seen < HANDSHAKE_HEADER_BYTES) {
                if (fragmentEnd > end) {
                    return HelloResult.NEED_MORE;
                }
                record = fragmentEnd;
                continue;
            }
            int bodyLeft = HANDSHAKE_HEADER_BYTES + bodyLength - seen;
            if (fragmentEnd - fragment >= bodyLeft) {
                int helloEnd = fragment + bodyLeft;
                if (helloEnd > end) {
                    return HelloResult.NEED_MORE;
                }
                return parseBody(bytesSoFar, start, records, bodyLength, helloEnd);
            }
            seen += fragmentEnd - fragment;
            if (fragmentEnd + RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES + bodyLength - seen - start > maxBytes) {
                return tooLong(bodyLength);
            }
            if (fragmentEnd > end) {
                return HelloResult.NEED_MORE;
            }
            record = fragmentEnd;
        }
    }

    /**
     * Judges the record header at {@code at} byte by byte as far as it has arrived: null when
     * it is whole and fine, else the verdict.
     */
    private static HelloResult judgeRecordHeader(ByteBuffer in, int at, int end, boolean first) {
        int available = end - at;
        if (available <= 0) {
            return HelloResult.NEED_MORE;
        }
        int type = in.get(at) & 0xFF;
        if (type != CONTENT_HANDSHAKE) {
            return first
                    ? HelloResult.notTls("first byte 0x" + Integer.toHexString(type) + " is not a TLS handshake record")
                    : HelloResult.malformed("a record of type " + type + " inside the ClientHello");
        }
        if (available < 2) {
            return HelloResult.NEED_MORE;
        }
        int major = in.get(at + 1) & 0xFF;
        if (major != 3) {
            return first
                    ? HelloResult.notTls("record version major " + major + " is not TLS")
                    : HelloResult.malformed("record version major " + major + " inside the ClientHello");
        }
        if (available < 3) {
            return HelloResult.NEED_MORE;
        }
        int minor = in.get(at + 2) & 0xFF;
        if (minor > 3) {
            return HelloResult.malformed("record version 3." + minor);
        }
        if (available < RECORD_HEADER_BYTES) {
            return HelloResult.NEED_MORE;
        }
        int length = u16(in, at + 3);
        if (length == 0) {
            return HelloResult.malformed("empty handshake record");
        }
        if (length > MAX_FRAGMENT_BYTES) {
            return HelloResult.malformed("record of " + length + " bytes, over 16384");
        }
        return null;
    }

    /** {@code wireSoFar}: bytes up to the end of the handshake header, record headers included. */
    private HelloResult judgeBodyLength(int bodyLength, int wireSoFar) {
        if (bodyLength < ClientHelloBody.MIN_BYTES) {
            return HelloResult.malformed("ClientHello body of " + bodyLength + " bytes, under " + ClientHelloBody.MIN_BYTES);
        }
        if (wireSoFar + bodyLength > maxBytes) {
            return tooLong(bodyLength);
        }
        return null;
    }

    private HelloResult tooLong(int bodyLength) {
        return HelloResult.malformed("ClientHello of " + bodyLength + " bytes does not fit in " + maxBytes + " with its headers");
    }

    /** The hello is all here and ends at {@code helloEnd}: read its body, in place if it is in one record. */
    private static HelloResult parseBody(ByteBuffer in, int start, int records, int bodyLength, int helloEnd) {
        int length = helloEnd - start;
        if (records == 1) {
            int body = start + RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES;
            return ClientHelloBody.parse(in, body, body + bodyLength, length);
        }
        byte[] body = new byte[bodyLength];
        int copied = 0;
        int skip = HANDSHAKE_HEADER_BYTES;
        for (int record = start; copied < bodyLength; record += RECORD_HEADER_BYTES + u16(in, record + 3)) {
            int from = record + RECORD_HEADER_BYTES;
            int n = Math.min(u16(in, record + 3), helloEnd - from);
            int skipped = Math.min(skip, n);
            skip -= skipped;
            in.get(from + skipped, body, copied, n - skipped);
            copied += n - skipped;
        }
        return ClientHelloBody.parse(ByteBuffer.wrap(body), 0, bodyLength, length);
    }

    static int u16(ByteBuffer in, int at) {
        return (in.get(at) & 0xFF) << 8 | in.get(at + 1) & 0xFF;
    }
}
