package lb.core.proxy;

import java.util.Objects;

/**
 * What {@link ProxyHeaderDecoder#decode} made of the bytes so far. Immutable.
 *
 * @param status what to do next
 * @param reason for {@link Status#INVALID}: what is wrong, for logs and the tunnel's end reason
 * @param header for {@link Status#DECODED}: what the header says
 * @param format for {@link Status#DECODED}: how it was sent; {@link ProxyFormat#V2_CRC32C} means
 *               its checksum matched
 * @param length for {@link Status#DECODED}: the header's bytes, to skip before forwarding the rest
 */
public record DecodeResult(Status status, String reason, ProxyHeader header, ProxyFormat format, int length) {

    public enum Status {
        /** The bytes so far are a valid beginning: read more and decode again from the start. */
        NEED_MORE,
        /** The bytes cannot begin a valid header: close the connection. */
        INVALID,
        /** A whole header: skip {@code length} bytes; what follows is the client's. */
        DECODED
    }

    /** The one NEED_MORE answer, so waiting for bytes allocates nothing. */
    public static final DecodeResult NEED_MORE = new DecodeResult(Status.NEED_MORE, null, null, null, 0);

    public DecodeResult {
        Objects.requireNonNull(status, "status");
        if (status == Status.INVALID) {
            Objects.requireNonNull(reason, "reason");
        }
        if (status == Status.DECODED) {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(format, "format");
            if (length <= 0) {
                throw new IllegalArgumentException("a decoded header has a length, was " + length);
            }
        }
    }

    static DecodeResult invalid(String reason) {
        return new DecodeResult(Status.INVALID, reason, null, null, 0);
    }

    static DecodeResult decoded(ProxyHeader header, ProxyFormat format, int length) {
        return new DecodeResult(Status.DECODED, null, header, format, length);
    }

    public boolean isDecoded() {
        return status == Status.DECODED;
    }

    @Override
    public String toString() {
        return switch (status) {
            case NEED_MORE -> "NEED_MORE";
            case INVALID -> "INVALID(" + reason + ")";
            case DECODED -> "DECODED(" + format + ", " + length + " bytes, " + header + ")";
        };
    }
}
