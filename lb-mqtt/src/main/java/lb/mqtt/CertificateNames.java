package lb.mqtt;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The identities a client certificate names: its subject's common name and its DNS names. */
final class CertificateNames {
    /** RFC 4514 form, as the JDK prints it: the CN attribute, with escaped commas kept. */
    private static final Pattern COMMON_NAME = Pattern.compile("(?:^|,)CN=((?:\\\\.|[^,])*)");
    private static final int DNS_NAME = 2;

    private CertificateNames() {
    }

    static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        Matcher m = COMMON_NAME.matcher(certificate.getSubjectX500Principal().getName());
        if (m.find()) {
            names.add(m.group(1).replaceAll("\\\\(.)", "$1"));
        }
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                for (List<?> san : certificate.getSubjectAlternativeNames()) {
                    if (((Integer) san.get(0)) == DNS_NAME) {
                        names.add((String) san.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // a certificate the handshake verified but whose names cannot be read names only its CN
        }
        return names;
    }
}
