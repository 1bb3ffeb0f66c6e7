package lb.core.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * How the load balancer speaks TLS to its servers when it re-encrypts. Immutable and compared by
 * value, like {@link TlsSettings}.
 *
 * <p>Defaults, from {@link #trusting}: protocols {@link TlsDefaults#PROTOCOLS}, cipher suites
 * {@link TlsDefaults#CIPHER_SUITES}, no ALPN, no client certificate, host names verified.
 *
 * @param trustedCas           CAs a server certificate must chain to; empty for the JDK's own
 *                             trust store
 * @param clientKey            the certificate to present when a server asks; null for none
 * @param protocols            e.g. "TLSv1.3", "TLSv1.2"
 * @param cipherSuites         in order of preference
 * @param applicationProtocols ALPN names to offer, e.g. "mqtt"; empty for none
 * @param verifyHostName       whether the server certificate must name the host connected to
 *                             (RFC 2818 section 3.1 rules, as the JDK's "HTTPS" identification)
 */
public record UpstreamTlsSettings(List<X509Certificate> trustedCas, CertifiedKey clientKey, List<String> protocols,
                                  List<String> cipherSuites, List<String> applicationProtocols,
                                  boolean verifyHostName) {

    public UpstreamTlsSettings {
        trustedCas = List.copyOf(trustedCas);
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        applicationProtocols = List.copyOf(applicationProtocols);
        TlsDefaults.requireSupportedProtocols(protocols);
        TlsDefaults.requireSupportedCipherSuites(cipherSuites);
        TlsDefaults.requireApplicationProtocols(applicationProtocols);
    }

    /** Servers vouched for by {@code cas} (empty: by the JDK's trust store), everything else at its default. */
    public static UpstreamTlsSettings trusting(List<X509Certificate> cas) {
        return new UpstreamTlsSettings(cas, null, TlsDefaults.PROTOCOLS, TlsDefaults.CIPHER_SUITES, List.of(), true);
    }

    public UpstreamTlsSettings withClientKey(CertifiedKey key) {
        return new UpstreamTlsSettings(trustedCas, Objects.requireNonNull(key, "key"), protocols, cipherSuites,
                applicationProtocols, verifyHostName);
    }

    public UpstreamTlsSettings withProtocols(String... names) {
        return new UpstreamTlsSettings(trustedCas, clientKey, List.of(names), cipherSuites, applicationProtocols, verifyHostName);
    }

    public UpstreamTlsSettings withCipherSuites(String... names) {
        return new UpstreamTlsSettings(trustedCas, clientKey, protocols, List.of(names), applicationProtocols, verifyHostName);
    }

    public UpstreamTlsSettings withApplicationProtocols(String... names) {
        return new UpstreamTlsSettings(trustedCas, clientKey, protocols, cipherSuites, List.of(names), verifyHostName);
    }

    /** For servers known by address only, whose certificates name something else: trust the CAs alone. */
    public UpstreamTlsSettings withoutHostNameVerification() {
        return new UpstreamTlsSettings(trustedCas, clientKey, protocols, cipherSuites, applicationProtocols, false);
    }

    /** Certificates by subject, not dumped whole: this goes to logs. */
    @Override
    public String toString() {
        return "UpstreamTlsSettings[trustedCas=" + (trustedCas.isEmpty() ? "JDK default" : Handshake.subjects(trustedCas))
                + ", clientKey=" + clientKey + ", protocols=" + protocols + ", cipherSuites=" + cipherSuites.size()
                + ", applicationProtocols=" + applicationProtocols + ", verifyHostName=" + verifyHostName + "]";
    }
}
