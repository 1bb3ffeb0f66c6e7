package lb.core.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;

/**
 * What a finished handshake agreed on. Immutable.
 *
 * @param protocol            "TLSv1.3", "TLSv1.2"
 * @param cipherSuite         e.g. "TLS_AES_256_GCM_SHA384"
 * @param applicationProtocol the ALPN protocol agreed, e.g. "mqtt"; null when none was
 * @param serverName          the SNI host name: on a server, the one the client asked for; on a
 *                            client, the one it sent; null when none
 * @param peerCertificates    the peer's chain, its own certificate first: on a server, the
 *                            client's (empty unless client authentication asked for one and
 *                            the client sent it); on a client, the server's
 */
public record Handshake(String protocol, String cipherSuite, String applicationProtocol, String serverName,
                        List<X509Certificate> peerCertificates) {

    public Handshake {
        peerCertificates = List.copyOf(peerCertificates);
    }

    /** Reads the agreement off an engine whose handshake has just finished. */
    static Handshake of(SSLEngine engine) {
        SSLSession session = engine.getSession();
        String alpn = engine.getApplicationProtocol();
        String serverName = engine.getUseClientMode() ? sentServerName(engine) : CertificateSelector.requestedHostName(session);
        return new Handshake(session.getProtocol(), session.getCipherSuite(), alpn == null || alpn.isEmpty() ? null : alpn,
                serverName, peerCertificates(session));
    }

    private static String sentServerName(SSLEngine engine) {
        List<SNIServerName> names = engine.getSSLParameters().getServerNames();
        if (names != null) {
            for (SNIServerName name : names) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME && name instanceof SNIHostName) {
                    return ((SNIHostName) name).getAsciiName();
                }
            }
        }
        return null;
    }

    private static List<X509Certificate> peerCertificates(SSLSession session) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate) {
                    chain.add((X509Certificate) certificate);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException none) {
            return List.of();
        }
    }

    /** Certificates by subject, not dumped whole: this goes to logs. */
    @Override
    public String toString() {
        return "Handshake[" + protocol + ", " + cipherSuite + ", alpn=" + applicationProtocol + ", sni=" + serverName
                + ", peer=" + subjects(peerCertificates) + "]";
    }

    static List<String> subjects(List<X509Certificate> certificates) {
        List<String> subjects = new ArrayList<>(certificates.size());
        for (X509Certificate certificate : certificates) {
            subjects.add(certificate.getSubjectX500Principal().getName());
        }
        return subjects;
    }
}
