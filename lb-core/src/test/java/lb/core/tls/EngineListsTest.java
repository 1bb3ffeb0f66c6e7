package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.junit.jupiter.api.Test;

/**
 * Engines get exactly the protocols and cipher suites asked for, whether a list is left to the
 * context's shared default (it agrees) or handed over (it differs), on both sides.
 */
class EngineListsTest {
    private static final List<String> JDK_SERVER_SUITES = List.of(fresh(false).getEnabledCipherSuites());
    private static final List<String> JDK_CLIENT_SUITES = List.of(fresh(true).getEnabledCipherSuites());

    @Test
    void aServerEngineHasTheSettingsListsWhetherOrNotTheyAreTheDefaults() {
        SSLEngine defaults = new ServerEngines(TlsSettings.of(TestKeys.DEVICES)).newEngine();
        assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(defaults.getEnabledProtocols()));
        assertEquals(TlsDefaults.CIPHER_SUITES, List.of(defaults.getEnabledCipherSuites()), "AEAD only, in order");

        SSLEngine narrowed = new ServerEngines(TlsSettings.of(TestKeys.DEVICES).withProtocols("TLSv1.3")
                .withCipherSuites("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256")).newEngine();
        assertEquals(List.of("TLSv1.3"), List.of(narrowed.getEnabledProtocols()));
        assertEquals(List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"), List.of(narrowed.getEnabledCipherSuites()));

        SSLEngine jdkSuites = new ServerEngines(TlsSettings.of(TestKeys.DEVICES)
                .withCipherSuites(JDK_SERVER_SUITES.toArray(String[]::new))).newEngine();
        assertEquals(JDK_SERVER_SUITES, List.of(jdkSuites.getEnabledCipherSuites()));
    }

    @Test
    void anUpstreamEngineHasTheSettingsListsWhetherOrNotTheyAreTheDefaults() {
        UpstreamTlsSettings trusting = UpstreamTlsSettings.trusting(TestKeys.CA);
        SSLEngine defaults = new UpstreamEngines(trusting).newEngine("broker.example.com", 8883);
        assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.of(defaults.getEnabledProtocols()));
        assertEquals(trusting.cipherSuites(), List.of(defaults.getEnabledCipherSuites()));

        SSLEngine narrowed = new UpstreamEngines(trusting.withProtocols("TLSv1.2")).newEngine("broker.example.com", 8883);
        assertEquals(List.of("TLSv1.2"), List.of(narrowed.getEnabledProtocols()));

        SSLEngine jdkSuites = new UpstreamEngines(trusting.withCipherSuites(JDK_CLIENT_SUITES.toArray(String[]::new)))
                .newEngine("broker.example.com", 8883);
        assertEquals(JDK_CLIENT_SUITES, List.of(jdkSuites.getEnabledCipherSuites()));
    }

    private static SSLEngine fresh(boolean clientMode) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(clientMode);
            return engine;
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
