package lb.core.tls;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a frontend terminates TLS: the certificates it presents and what it negotiates. Immutable
 * and compared by value (certificates and keys by their encodings), so a reload compares the old
 * and new settings with {@code equals} and rebuilds nothing when they agree.
 *
 * <p>Defaults, from {@link #of}: the first key is also the default one, protocols
 * {@link TlsDefaults#PROTOCOLS}, cipher suites {@link TlsDefaults#CIPHER_SUITES} (server order
 * preferred), no ALPN, no client authentication.
 *
 * @param keys                 certificates to choose from by SNI (see {@link CertificateSelector})
 * @param defaultKey           one of {@code keys}: for clients without SNI or naming no known host
 * @param protocols            e.g. "TLSv1.3", "TLSv1.2", in the JDK's names
 * @param cipherSuites         in order of preference, the JDK's names
 * @param applicationProtocols ALPN names offered, in order of preference, e.g. "mqtt"; empty for
 *                             none. A client offering ALPN with none of these is refused
 *                             (no_application_protocol, RFC 7301 section 3.2); one offering no
 *                             ALPN at all is served
 * @param clientAuth           whether clients must present a certificate
 * @param clientCas            the CAs a client certificate must chain to; empty exactly when
 *                             {@code clientAuth} is NONE
 */
public record TlsSettings(List<CertifiedKey> keys, CertifiedKey defaultKey, List<String> protocols,
                          List<String> cipherSuites, List<String> applicationProtocols,
                          ClientAuth clientAuth, List<X509Certificate> clientCas) {

    public TlsSettings {
        keys = List.copyOf(keys);
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        applicationProtocols = List.copyOf(applicationProtocols);
        clientCas = List.copyOf(clientCas);
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("keys: at least one certified key");
        }
        if (!keys.contains(Objects.requireNonNull(defaultKey, "defaultKey"))) {
            throw new IllegalArgumentException("defaultKey: must be one of keys");
        }
        TlsDefaults.requireSupportedProtocols(protocols);
        TlsDefaults.requireSupportedCipherSuites(cipherSuites);
        TlsDefaults.requireApplicationProtocols(applicationProtocols);
        if (clientAuth == ClientAuth.NONE && !clientCas.isEmpty()) {
            throw new IllegalArgumentException("clientCas: given, but clientAuth is NONE");
        }
        if (clientAuth != ClientAuth.NONE && clientCas.isEmpty()) {
            throw new IllegalArgumentException("clientCas: clientAuth " + clientAuth + " needs at least one CA");
        }
    }

    /** Settings presenting these keys, the first being the default, with every other field at its default. */
    public static TlsSettings of(CertifiedKey first, CertifiedKey... more) {
        List<CertifiedKey> keys = new ArrayList<>();
        keys.add(first);
        keys.addAll(List.of(more));
        return new TlsSettings(keys, first, TlsDefaults.PROTOCOLS, TlsDefaults.CIPHER_SUITES, List.of(),
                ClientAuth.NONE, List.of());
    }

    public TlsSettings withDefaultKey(CertifiedKey key) {
        return new TlsSettings(keys, key, protocols, cipherSuites, applicationProtocols, clientAuth, clientCas);
    }

    public TlsSettings withProtocols(String... names) {
        return new TlsSettings(keys, defaultKey, List.of(names), cipherSuites, applicationProtocols, clientAuth, clientCas);
    }

    public TlsSettings withCipherSuites(String... names) {
        return new TlsSettings(keys, defaultKey, protocols, List.of(names), applicationProtocols, clientAuth, clientCas);
    }

    public TlsSettings withApplicationProtocols(String... names) {
        return new TlsSettings(keys, defaultKey, protocols, cipherSuites, List.of(names), clientAuth, clientCas);
    }

    /** Client certificates checked against {@code cas} (a bundle, e.g. from {@link PemFiles#certificates}). */
    public TlsSettings withClientAuth(ClientAuth auth, List<X509Certificate> cas) {
        return new TlsSettings(keys, defaultKey, protocols, cipherSuites, applicationProtocols, auth, cas);
    }

    /** Certificates by subject, not dumped whole: this goes to logs. */
    @Override
    public String toString() {
        return "TlsSettings[keys=" + keys + ", default=" + defaultKey.certificate().getSubjectX500Principal().getName()
                + ", protocols=" + protocols + ", cipherSuites=" + cipherSuites.size() + ", applicationProtocols="
                + applicationProtocols + ", clientAuth=" + clientAuth + ", clientCas=" + Handshake.subjects(clientCas) + "]";
    }
}
