package lb.core.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Objects;

import javax.net.ssl.SSLException;

/**
 * Why a TLS connection failed, in words a log line and a counter can use. Immutable.
 *
 * <p>The JDK reports failures as exceptions whose type says little; the reason is read from
 * the alert the peer sent ("Received fatal alert: bad_certificate", RFC 8446 section 6.2), or
 * for failures found here from the cause (certificate path problems) and the JDK's message.
 *
 * @param reason       the kind of failure
 * @param raisedByPeer whether the peer sent the alert (it refused us) rather than this side
 *                     refusing the peer
 * @param detail       the JDK's message, for logs
 */
public record TlsFailure(Reason reason, boolean raisedByPeer, String detail) {

    public enum Reason {
        /** The peer does not speak TLS: the first bytes are no TLS record. */
        NOT_TLS,
        /** No TLS version both sides accept (protocol_version). */
        NO_SHARED_PROTOCOL,
        /** No cipher suite, key-exchange group or signature scheme both accept (handshake_failure, insufficient_security). */
        NO_SHARED_CIPHER,
        /** The client offered ALPN protocols, none of them ours (no_application_protocol). */
        NO_SHARED_APPLICATION_PROTOCOL,
        /** A certificate was required and none was sent (certificate_required). */
        CERTIFICATE_REQUIRED,
        /** A certificate was refused: untrusted, expired, revoked, for another name or another use. */
        BAD_CERTIFICATE,
        /** The server knows no such name (unrecognized_name). */
        UNKNOWN_SERVER_NAME,
        /** The connection ended without close_notify. */
        TRUNCATED,
        /** Broken or unexpected messages, a bad record MAC, and other protocol errors. */
        PROTOCOL_ERROR,
        /** A failure inside the TLS implementation (internal_error) or one not recognised above. */
        INTERNAL
    }

    private static final String RECEIVED_ALERT = "Received fatal alert: ";

    public TlsFailure {
        Objects.requireNonNull(reason, "reason");
        detail = detail == null ? "" : detail;
    }

    /** Classifies an exception thrown by an SSLEngine. */
    static TlsFailure of(SSLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith(RECEIVED_ALERT)) {
            return new TlsFailure(fromAlert(message.substring(RECEIVED_ALERT.length()).trim()), true, message);
        }
        return new TlsFailure(fromLocal(e, message.toLowerCase(Locale.ROOT)), false, message);
    }

    /** Alert names as RFC 8446 section 6 and RFC 7301 write them, which the JDK repeats. */
    private static Reason fromAlert(String alert) {
        return switch (alert) {
            case "protocol_version" -> Reason.NO_SHARED_PROTOCOL;
            case "handshake_failure", "insufficient_security" -> Reason.NO_SHARED_CIPHER;
            case "no_application_protocol" -> Reason.NO_SHARED_APPLICATION_PROTOCOL;
            case "certificate_required" -> Reason.CERTIFICATE_REQUIRED;
            case "bad_certificate", "unsupported_certificate", "certificate_revoked", "certificate_expired",
                    "certificate_unknown", "unknown_ca", "access_denied", "bad_certificate_status_response" ->
                    Reason.BAD_CERTIFICATE;
            case "unrecognized_name" -> Reason.UNKNOWN_SERVER_NAME;
            case "internal_error" -> Reason.INTERNAL;
            default -> Reason.PROTOCOL_ERROR;
        };
    }

    private static Reason fromLocal(SSLException e, String message) {
        if (message.contains("unrecognized ssl message")) { // "Unrecognized SSL message, plaintext connection?"
            return Reason.NOT_TLS;
        }
        if (message.contains("empty client certificate chain") || message.contains("empty server certificate chain")) {
            return Reason.CERTIFICATE_REQUIRED;
        }
        if (hasCertificateCause(e)) {
            return Reason.BAD_CERTIFICATE;
        }
        if (message.contains("close_notify")) {
            return Reason.TRUNCATED;
        }
        if (message.contains("no appropriate protocol") || message.contains("protocol version")
                || message.contains("not enabled or supported") || message.contains("supported protocol versions")) {
            return Reason.NO_SHARED_PROTOCOL;
        }
        if (message.contains("no cipher suites in common") || message.contains("no negotiable cipher suite")
                || message.contains("no available authentication scheme") || message.contains("no common named group")
                || message.contains("no supported signature algorithm") || message.contains("no suitable signature")) {
            return Reason.NO_SHARED_CIPHER;
        }
        if (message.contains("application layer protocol")) {
            return Reason.NO_SHARED_APPLICATION_PROTOCOL;
        }
        if (message.contains("unrecognized server name") || message.contains("unrecognized_name")) {
            return Reason.UNKNOWN_SERVER_NAME;
        }
        return message.contains("internal") ? Reason.INTERNAL : Reason.PROTOCOL_ERROR;
    }

    private static boolean hasCertificateCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof CertPathBuilderException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return reason + (raisedByPeer ? " (peer's alert)" : "") + ": " + detail;
    }
}
