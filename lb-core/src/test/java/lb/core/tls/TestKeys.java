package lb.core.tls;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/** The checked-in test material under {@code src/test/resources/tls} (see its README), loaded once. */
final class TestKeys {
    /** RSA; broker.example.com and mqtt.example.com; chain of two. */
    static final CertifiedKey BROKER = load("broker-chain.pem", "broker-key-pkcs8.pem");
    /** EC P-256; *.devices.example.com. */
    static final CertifiedKey DEVICES = load("devices-cert.pem", "devices-key-sec1.pem");
    /** RSA; CN legacy.example.com, no SAN. */
    static final CertifiedKey LEGACY = load("legacy-cert.pem", "legacy-key-pkcs8.pem");
    /** EC P-384; fallback.example.com. */
    static final CertifiedKey FALLBACK = load("fallback-cert.pem", "fallback-key-sec1.pem");
    /** EC P-256 client certificate, CN device-17, signed by the CA. */
    static final CertifiedKey CLIENT = load("client-cert.pem", "client-key-pkcs8.pem");
    /** EC P-256 self-signed client certificate. */
    static final CertifiedKey ROGUE = load("rogue-cert.pem", "rogue-key-pkcs8.pem");
    /** The test CA and a second one. */
    static final List<X509Certificate> CA_BUNDLE = certificates("ca-bundle.pem");
    static final List<X509Certificate> CA = certificates("ca-cert.pem");

    private TestKeys() {
    }

    static Path file(String name) {
        URL url = TestKeys.class.getResource("/tls/" + name);
        if (url == null) {
            throw new AssertionError("no test resource tls/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static CertifiedKey load(String chain, String key) {
        try {
            return CertifiedKey.fromPem(file(chain), file(key));
        } catch (KeyFileException e) {
            throw new AssertionError(e);
        }
    }

    private static List<X509Certificate> certificates(String name) {
        try {
            return PemFiles.certificates(file(name));
        } catch (KeyFileException e) {
            throw new AssertionError(e);
        }
    }
}
