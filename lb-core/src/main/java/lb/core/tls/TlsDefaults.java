package lb.core.tls;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * What this JDK's TLS offers, and the defaults chosen from it. Immutable; read once per JVM.
 *
 * <p>Default protocols: TLSv1.3 and TLSv1.2. Default cipher suites: the JDK's own enabled list,
 * in its order, keeping only AEAD ciphers with forward secrecy: the TLS 1.3 suites, and for
 * TLS 1.2 ECDHE_ECDSA, ECDHE_RSA and DHE_RSA with AES-GCM or ChaCha20-Poly1305 (as Mozilla's
 * "intermediate" profile). Left out of JDK 17's list:
 * <ul>
 *   <li>every CBC suite (MAC-then-encrypt, the Lucky Thirteen and padding-oracle family);</li>
 *   <li>TLS_RSA_WITH_* (static RSA key exchange: no forward secrecy, Bleichenbacher/ROBOT);</li>
 *   <li>TLS_DHE_DSS_* (DSA certificates, which no one issues any more).</li>
 * </ul>
 * TLS_EMPTY_RENEGOTIATION_INFO_SCSV stays: it is a signal (RFC 5746), not a cipher.
 */
public final class TlsDefaults {
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> CIPHER_SUITES;

    private static final Set<String> SUPPORTED_PROTOCOLS;
    private static final Set<String> SUPPORTED_CIPHER_SUITES;
    private static final String SCSV = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";

    static {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLParameters supported = context.getSupportedSSLParameters();
            SUPPORTED_PROTOCOLS = Set.of(supported.getProtocols());
            SUPPORTED_CIPHER_SUITES = Set.of(supported.getCipherSuites());
            List<String> strong = new ArrayList<>();
            for (String suite : context.getDefaultSSLParameters().getCipherSuites()) {
                if (isStrong(suite)) {
                    strong.add(suite);
                }
            }
            CIPHER_SUITES = List.copyOf(strong);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TlsDefaults() {
    }

    /** Whether {@code suite} is an AEAD suite with forward secrecy (or the renegotiation signal). */
    public static boolean isStrong(String suite) {
        if (suite.equals(SCSV)) {
            return true;
        }
        boolean aead = suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_");
        boolean tls13 = suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_");
        boolean forwardSecret = suite.startsWith("TLS_ECDHE_ECDSA_") || suite.startsWith("TLS_ECDHE_RSA_")
                || suite.startsWith("TLS_DHE_RSA_");
        return aead && (tls13 || forwardSecret);
    }

    static void requireSupportedProtocols(List<String> protocols) {
        requireSupported("protocols", protocols, SUPPORTED_PROTOCOLS);
    }

    static void requireSupportedCipherSuites(List<String> suites) {
        requireSupported("cipherSuites", suites, SUPPORTED_CIPHER_SUITES);
    }

    private static void requireSupported(String field, List<String> names, Set<String> supported) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException(field + ": at least one");
        }
        for (String name : names) {
            if (!supported.contains(name)) {
                throw new IllegalArgumentException(field + ": " + name + " is not supported by this JDK");
            }
        }
    }

    /** ALPN names are 1 to 255 bytes (RFC 7301 section 3.1); here, ASCII. */
    static void requireApplicationProtocols(List<String> names) {
        for (String name : names) {
            if (name.isEmpty() || name.length() > 255 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                throw new IllegalArgumentException("applicationProtocols: '" + name + "' is not 1 to 255 printable ASCII characters");
            }
        }
    }
}
