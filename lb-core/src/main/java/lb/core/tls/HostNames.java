package lb.core.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The DNS names a server certificate answers for, and wildcard matching as RFC 6125 section 6.4.3
 * allows it: a {@code *} only as the whole left-most label, standing for exactly one label, with
 * at least two labels after it ({@code *.example.com}, never {@code *.com} or {@code f*.example.com}).
 * Stateless. Names are compared in lower case; IDNs are expected in their ASCII (A-label) form,
 * as both SNI and certificates carry them.
 */
final class HostNames {
    private static final int SAN_DNS_NAME = 2;

    private HostNames() {
    }

    /**
     * The subjectAltName dNSName entries (RFC 5280 section 4.2.1.6); only when there is none,
     * the subject's common names, as RFC 6125 section 6.4.4 allows. Lower case, file order.
     */
    static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (entry.size() == 2 && Integer.valueOf(SAN_DNS_NAME).equals(entry.get(0)) && entry.get(1) instanceof String) {
                        names.add(((String) entry.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subjectAltName in " + certificate.getSubjectX500Principal(), e);
        }
        if (names.isEmpty()) {
            names.addAll(commonNames(certificate));
        }
        return names;
    }

    private static List<String> commonNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String) {
                    names.add(((String) rdn.getValue()).toLowerCase(Locale.ROOT));
                }
            }
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException("unreadable subject " + certificate.getSubjectX500Principal(), e);
        }
        return names;
    }

    /** For a valid wildcard pattern, the domain it covers the children of ("example.com"); else null. */
    static String wildcardDomain(String pattern) {
        if (!pattern.startsWith("*.")) {
            return null;
        }
        String domain = pattern.substring(2);
        int dot = domain.indexOf('.');
        if (dot <= 0 || dot == domain.length() - 1 || domain.indexOf('*') >= 0) {
            return null;
        }
        return domain;
    }

    /** The domain whose wildcard would cover {@code host}: "a.example.com" -> "example.com"; null if none. */
    static String parent(String host) {
        int dot = host.indexOf('.');
        return dot <= 0 ? null : host.substring(dot + 1);
    }
}
