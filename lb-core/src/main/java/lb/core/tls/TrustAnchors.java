package lb.core.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Trust managers from a CA bundle: PKIX validation against exactly those certificates. Stateless. */
final class TrustAnchors {
    private TrustAnchors() {
    }

    /** PKIX trust in {@code cas}; with none, the JDK's default trust store (its cacerts). */
    static TrustManager[] of(List<X509Certificate> cas) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            if (cas.isEmpty()) {
                factory.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
                factory.init(store);
            }
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a PKIX trust manager: " + e.getMessage(), e);
        }
    }
}
