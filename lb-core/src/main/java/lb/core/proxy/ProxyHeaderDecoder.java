package lb.core.proxy;

import java.nio.ByteBuffer;

/**
 * Recognises and decodes a PROXY protocol header, version 1 or 2, at the start of a connection.
 * Immutable and stateless: one instance serves every loop, and each call judges all the bytes
 * received so far, so a header split across reads, even one byte per read, needs no state
 * between calls.
 *
 * <p>The version is told by the first bytes, as spec section 2.2 describes: {@code "PROXY "}
 * starts version 1, the 12-byte signature version 2. Bytes that can start neither are
 * {@link DecodeResult.Status#INVALID} at once, without waiting for more.
 */
public final class ProxyHeaderDecoder {
    /**
     * Addresses plus every TLV a sender commonly adds (TLS details with a certificate's common
     * name, a unique id of at most 128 bytes, a host name of at most 255, ALPN, a checksum) come
     * to about 600 bytes; 1 KiB leaves room and fits the smallest pooled buffer.
     */
    public static final int DEFAULT_MAX_HEADER_BYTES = 1024;

    private static final DecodeResult MISSING = DecodeResult.invalid("missing PROXY header");

    private final int maxHeaderBytes;

    /** A decoder accepting version 2 headers of up to {@link #DEFAULT_MAX_HEADER_BYTES}. */
    public ProxyHeaderDecoder() {
        this(DEFAULT_MAX_HEADER_BYTES);
    }

    /**
     * A decoder accepting version 2 headers of up to {@code maxHeaderBytes} (from 107, version
     * 1's fixed limit, to 65,551, version 2's own); a longer one is invalid as soon as its length
     * field arrives.
     */
    public ProxyHeaderDecoder(int maxHeaderBytes) {
        if (maxHeaderBytes < V1TextFormat.MAX_LINE_BYTES || maxHeaderBytes > V2BinaryFormat.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes must be 107..65551, was " + maxHeaderBytes);
        }
        this.maxHeaderBytes = maxHeaderBytes;
    }

    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /**
     * Judges {@code bytesSoFar}, from its position to its limit: everything the peer sent so far.
     * Leaves the buffer's position, limit and contents as they were, and never throws for any
     * content. Answering NEED_MORE allocates nothing; a decoded header costs its own objects
     * (addresses, TLVs) and, when it carries a checksum, one {@code CRC32C}.
     */
    public DecodeResult decode(ByteBuffer bytesSoFar) {
        if (!bytesSoFar.hasRemaining()) {
            return DecodeResult.NEED_MORE;
        }
        if (startsLike(bytesSoFar, V1TextFormat.PREFIX)) {
            return V1TextFormat.decode(bytesSoFar);
        }
        if (startsLike(bytesSoFar, V2BinaryFormat.SIGNATURE)) {
            return V2BinaryFormat.decode(bytesSoFar, maxHeaderBytes);
        }
        return MISSING;
    }

    /**
     * Whether {@code bytesSoFar} (from its position to its limit) may be the start of a header:
     * they agree with version 1's or version 2's signature for as many bytes as they have, and
     * so do no bytes at all. A frontend uses it to spot a header from a peer it does not trust
     * without holding up other clients longer than their first byte.
     */
    public boolean mayBeHeader(ByteBuffer bytesSoFar) {
        return startsLike(bytesSoFar, V1TextFormat.PREFIX) || startsLike(bytesSoFar, V2BinaryFormat.SIGNATURE);
    }

    /** Whether the bytes so far agree with {@code prefix} for as many bytes as both have. */
    private static boolean startsLike(ByteBuffer in, byte[] prefix) {
        int start = in.position();
        int n = Math.min(in.remaining(), prefix.length);
        for (int i = 0; i < n; i++) {
            if (in.get(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
