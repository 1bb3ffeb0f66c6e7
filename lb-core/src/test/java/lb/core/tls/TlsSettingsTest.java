package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.Test;

/** Defaults, validation that names the field, comparison by value, and what the engines are given. */
class TlsSettingsTest {

    @Test
    void defaultsAreTls13And12WithStrongSuitesNoAlpnAndNoClientAuthentication() {
        TlsSettings settings = TlsSettings.of(TestKeys.BROKER, TestKeys.DEVICES);

        assertEquals(List.of("TLSv1.3", "TLSv1.2"), settings.protocols());
        assertEquals(TlsDefaults.CIPHER_SUITES, settings.cipherSuites());
        assertEquals(List.of(), settings.applicationProtocols());
        assertEquals(ClientAuth.NONE, settings.clientAuth());
        assertEquals(TestKeys.BROKER, settings.defaultKey());
    }

    @Test
    void defaultSuitesAreTheJdksAeadForwardSecretOnes() {
        List<String> suites = TlsDefaults.CIPHER_SUITES;
        assertTrue(suites.containsAll(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")), suites.toString());
        for (String suite : suites) {
            assertFalse(suite.contains("_CBC_") || suite.startsWith("TLS_RSA_") || suite.contains("_DSS_")
                    || suite.contains("_3DES_") || suite.contains("_RC4_") || suite.contains("_NULL_"), suite);
        }
        assertTrue(TlsDefaults.isStrong("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"));
        assertTrue(TlsDefaults.isStrong("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"));
        assertFalse(TlsDefaults.isStrong("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"));
        assertFalse(TlsDefaults.isStrong("TLS_RSA_WITH_AES_128_GCM_SHA256"));
        assertFalse(TlsDefaults.isStrong("TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"));
        assertFalse(TlsDefaults.isStrong("SSL_RSA_WITH_3DES_EDE_CBC_SHA"));
    }

    @Test
    void settingsReadFromTheSameFilesAreEqualAndAnyChangeIsSeen() throws Exception {
        CertifiedKey again = CertifiedKey.fromPem(TestKeys.file("broker-chain.pem"), TestKeys.file("broker-key-pkcs8.pem"));
        TlsSettings first = TlsSettings.of(TestKeys.BROKER).withApplicationProtocols("mqtt");
        TlsSettings second = TlsSettings.of(again).withApplicationProtocols("mqtt");

        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
        assertNotEquals(first, second.withApplicationProtocols("mqtt", "x-mqtt"));
        assertNotEquals(first, second.withProtocols("TLSv1.3"));
        assertNotEquals(first, TlsSettings.of(TestKeys.BROKER, TestKeys.DEVICES).withApplicationProtocols("mqtt"));
        assertNotEquals(first, first.withClientAuth(ClientAuth.REQUIRED, TestKeys.CA));
    }

    @Test
    void settingsPrintCertificatesBySubjectAndNeverKeys() {
        String text = TlsSettings.of(TestKeys.BROKER).withClientAuth(ClientAuth.REQUIRED, TestKeys.CA).toString();
        assertEquals("TlsSettings[keys=[CertifiedKey[CN=broker.example.com,O=lb test, RSA, chain of 2]], "
                + "default=CN=broker.example.com,O=lb test, protocols=[TLSv1.3, TLSv1.2], cipherSuites="
                + TlsDefaults.CIPHER_SUITES.size() + ", applicationProtocols=[], clientAuth=REQUIRED, "
                + "clientCas=[CN=lb test CA,O=lb test]]", text);
        assertTrue(UpstreamTlsSettings.trusting(List.of()).toString().startsWith("UpstreamTlsSettings[trustedCas=JDK default, clientKey=null"));
    }

    @Test
    void invalidSettingsAreRefusedNamingTheField() {
        TlsSettings settings = TlsSettings.of(TestKeys.BROKER);
        assertMessage("protocols: TLSv1.4 is not supported by this JDK", () -> settings.withProtocols("TLSv1.4"));
        assertMessage("protocols: at least one", settings::withProtocols);
        assertMessage("cipherSuites: TLS_MADE_UP is not supported by this JDK", () -> settings.withCipherSuites("TLS_MADE_UP"));
        assertMessage("applicationProtocols: '' is not 1 to 255 printable ASCII characters", () -> settings.withApplicationProtocols(""));
        assertMessage("clientCas: clientAuth REQUIRED needs at least one CA", () -> settings.withClientAuth(ClientAuth.REQUIRED, List.of()));
        assertMessage("clientCas: given, but clientAuth is NONE", () -> settings.withClientAuth(ClientAuth.NONE, TestKeys.CA));
        assertMessage("defaultKey: must be one of keys", () -> settings.withDefaultKey(TestKeys.DEVICES));
    }

    @Test
    void serverEnginesCarryTheSettings() {
        TlsSettings settings = TlsSettings.of(TestKeys.BROKER).withApplicationProtocols("mqtt")
                .withClientAuth(ClientAuth.REQUIRED, TestKeys.CA_BUNDLE);
        SSLEngine engine = new ServerEngines(settings).newEngine();

        assertFalse(engine.getUseClientMode());
        assertTrue(engine.getNeedClientAuth());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
        assertEquals(TlsDefaults.CIPHER_SUITES, List.of(engine.getEnabledCipherSuites()));
        assertEquals(List.of("mqtt"), List.of(engine.getSSLParameters().getApplicationProtocols()));
        assertTrue(engine.getSSLParameters().getUseCipherSuitesOrder());
        SSLEngine optional = new ServerEngines(settings.withClientAuth(ClientAuth.OPTIONAL, TestKeys.CA)).newEngine();
        assertTrue(optional.getWantClientAuth());
        assertFalse(optional.getNeedClientAuth());
    }

    @Test
    void upstreamEnginesSendTheHostAsSniUnlessItIsAnAddressAndVerifyIt() {
        UpstreamEngines engines = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withApplicationProtocols("mqtt"));

        SSLParameters named = engines.newEngine("broker.example.com", 8883).getSSLParameters();
        assertEquals(List.of(new SNIHostName("broker.example.com")), named.getServerNames());
        assertEquals("HTTPS", named.getEndpointIdentificationAlgorithm());
        assertEquals(List.of("mqtt"), List.of(named.getApplicationProtocols()));
        assertEquals(List.of(), engines.newEngine("10.0.0.7", 8883).getSSLParameters().getServerNames());
        assertEquals(List.of(), engines.newEngine("2001:db8::7", 8883).getSSLParameters().getServerNames());
        assertNull(new UpstreamEngines(engines.settings().withoutHostNameVerification()).newEngine("broker.example.com", 8883)
                .getSSLParameters().getEndpointIdentificationAlgorithm());
        assertTrue(UpstreamEngines.isIpLiteral("192.168.0.1"));
        assertFalse(UpstreamEngines.isIpLiteral("1.2.3.example"));
        assertFalse(UpstreamEngines.isIpLiteral("1.2.3"));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable build) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }
}
