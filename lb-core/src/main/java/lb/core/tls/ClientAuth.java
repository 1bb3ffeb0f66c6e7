package lb.core.tls;

/** Whether a TLS frontend asks clients for a certificate (RFC 8446 section 4.3.2 CertificateRequest). */
public enum ClientAuth {
    /** No certificate asked for. */
    NONE,
    /** Asked for; a client without one is let in, one with a certificate the CAs do not vouch for is not. */
    OPTIONAL,
    /** Required, and it must chain to one of the configured CAs. */
    REQUIRED
}
