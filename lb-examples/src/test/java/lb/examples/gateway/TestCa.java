package lb.examples.gateway;

import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Trust in the lb-core test CA (shared through its test jar), for clients of a TLS gateway. */
final class TestCa {
    private TestCa() {
    }

    static TrustManager[] trustManagers() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream ca = TestCa.class.getResourceAsStream("/tls/ca-cert.pem")) {
            if (ca == null) {
                throw new IllegalStateException("no test resource tls/ca-cert.pem");
            }
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }
}
