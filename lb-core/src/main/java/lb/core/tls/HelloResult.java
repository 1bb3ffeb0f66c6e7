package lb.core.tls;

import java.util.Objects;

/**
 * What {@link ClientHelloParser#parse} made of a client's first bytes. Immutable.
 *
 * @param status what to do next
 * @param reason for {@link Status#NOT_TLS} and {@link Status#MALFORMED}: what was seen, for
 *               logs and the tunnel's end reason
 * @param hello  for {@link Status#HELLO}: the fields a route needs
 * @param length for {@link Status#HELLO}: bytes from the buffer's position to the hello's last
 *               byte, record headers included; anything after it was not looked at
 */
public record HelloResult(Status status, String reason, ClientHello hello, int length) {

    public enum Status {
        /** The bytes so far are a valid beginning: read more and parse again from the start. */
        NEED_MORE,
        /** Not a TLS handshake record, or a handshake that does not start with a ClientHello. */
        NOT_TLS,
        /** TLS, but broken: a length that lies, a field out of range, or past the size limit. */
        MALFORMED,
        /** A whole ClientHello. */
        HELLO
    }

    /** The one NEED_MORE answer, so waiting for bytes allocates nothing. */
    public static final HelloResult NEED_MORE = new HelloResult(Status.NEED_MORE, null, null, 0);

    public HelloResult {
        Objects.requireNonNull(status, "status");
        if (status == Status.NOT_TLS || status == Status.MALFORMED) {
            Objects.requireNonNull(reason, "reason");
        }
        if (status == Status.HELLO) {
            Objects.requireNonNull(hello, "hello");
            if (length <= 0) {
                throw new IllegalArgumentException("a hello has a length, was " + length);
            }
        }
    }

    static HelloResult notTls(String reason) {
        return new HelloResult(Status.NOT_TLS, reason, null, 0);
    }

    static HelloResult malformed(String reason) {
        return new HelloResult(Status.MALFORMED, reason, null, 0);
    }

    static HelloResult hello(ClientHello hello, int length) {
        return new HelloResult(Status.HELLO, null, hello, length);
    }

    public boolean isHello() {
        return status == Status.HELLO;
    }

    @Override
    public String toString() {
        return switch (status) {
            case NEED_MORE -> "NEED_MORE";
            case NOT_TLS -> "NOT_TLS(" + reason + ")";
            case MALFORMED -> "MALFORMED(" + reason + ")";
            case HELLO -> "HELLO(" + length + " bytes, " + hello + ")";
        };
    }
}
