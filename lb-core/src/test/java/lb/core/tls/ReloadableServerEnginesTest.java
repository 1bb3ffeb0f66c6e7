package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javax.net.ssl.SSLEngine;

import org.junit.jupiter.api.Test;

/** A reload swaps the context for new connections only, and only when the settings differ. */
class ReloadableServerEnginesTest {
    private static final UpstreamEngines CLIENT = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA)
            .withoutHostNameVerification());

    @Test
    void reloadingEqualSettingsBuildsNothing() throws Exception {
        ReloadableServerEngines engines = new ReloadableServerEngines(TlsSettings.of(TestKeys.BROKER));
        ServerEngines before = engines.current();

        CertifiedKey reread = CertifiedKey.fromPem(TestKeys.file("broker-chain.pem"), TestKeys.file("broker-key-pkcs1.pem"));
        assertFalse(engines.reload(TlsSettings.of(reread)));

        assertSame(before, engines.current());
    }

    @Test
    void newConnectionsGetTheNewCertificateWhileOneAcceptedBeforeKeepsTheOld() {
        ReloadableServerEngines engines = new ReloadableServerEngines(TlsSettings.of(TestKeys.BROKER));
        SSLEngine acceptedBefore = engines.newEngine();

        assertTrue(engines.reload(TlsSettings.of(TestKeys.FALLBACK)));
        SSLEngine acceptedAfter = engines.newEngine();

        assertEquals(TestKeys.BROKER.certificate(), serverCertificate(acceptedBefore));
        assertEquals(TestKeys.FALLBACK.certificate(), serverCertificate(acceptedAfter));
    }

    @Test
    void aReloadThatCannotBeBuiltKeepsTheSettingsInForce() {
        ReloadableServerEngines engines = new ReloadableServerEngines(TlsSettings.of(TestKeys.BROKER));
        ServerEngines before = engines.current();
        assertThrows(NullPointerException.class, () -> engines.reload(null));
        assertSame(before, engines.current());
    }

    private static Object serverCertificate(SSLEngine server) {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), server).handshake();
        assertEquals(TlsLayer.State.OPEN, pair.client.state(), String.valueOf(pair.client.failure()));
        return pair.client.handshake().peerCertificates().get(0);
    }
}
