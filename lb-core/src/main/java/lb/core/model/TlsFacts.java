package lb.core.model;

import java.security.cert.X509Certificate;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * What a client's TLS handshake with the frontend agreed on, for extractors that route or
 * refuse by it and for the connection log. Immutable.
 *
 * @param protocol            e.g. "TLSv1.3"
 * @param cipherSuite         e.g. "TLS_AES_128_GCM_SHA256"
 * @param serverName          the host name the client asked for (SNI), or null
 * @param applicationProtocol the ALPN protocol agreed (e.g. "mqtt"), or null
 * @param clientCertificates  the client's verified chain, its own certificate first; empty
 *                            when the frontend did not ask for one or the client sent none
 */
public record TlsFacts(String protocol, String cipherSuite, String serverName, String applicationProtocol,
                       List<X509Certificate> clientCertificates) {
    public TlsFacts {
        clientCertificates = List.copyOf(clientCertificates);
    }

    /** The client's own certificate, or null. */
    public X509Certificate clientCertificate() {
        return clientCertificates.isEmpty() ? null : clientCertificates.get(0);
    }

    /** The common name (CN) of the client's certificate's subject, or null. */
    public String clientCommonName() {
        X509Certificate c = clientCertificate();
        if (c == null) {
            return null;
        }
        try {
            for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // a verified certificate always has a well-formed subject; without one there is no CN
        }
        return null;
    }

    /** "TLSv1.3 sni=host alpn=mqtt cert=CN=device-17", for a log line. */
    @Override
    public String toString() {
        X509Certificate c = clientCertificate();
        return protocol + (serverName == null ? "" : " sni=" + serverName)
                + (applicationProtocol == null ? "" : " alpn=" + applicationProtocol)
                + (c == null ? "" : " cert=\"" + c.getSubjectX500Principal().getName() + "\"");
    }
}
