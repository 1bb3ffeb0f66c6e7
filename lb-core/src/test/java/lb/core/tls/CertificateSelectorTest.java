package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which keys answer a name: exact names, then one-label wildcards, then the default; then the key type asked for. */
class CertificateSelectorTest {
    private static final CertificateSelector SELECTOR = new CertificateSelector(
            List.of(TestKeys.FALLBACK, TestKeys.BROKER, TestKeys.DEVICES, TestKeys.LEGACY), TestKeys.FALLBACK);

    @Test
    void exactSubjectAltNamesMatchInAnyCase() {
        assertEquals(List.of(TestKeys.BROKER), SELECTOR.candidates("broker.example.com"));
        assertEquals(List.of(TestKeys.BROKER), SELECTOR.candidates("MQTT.Example.COM"));
    }

    @Test
    void aWildcardStandsForExactlyOneLeftMostLabel() {
        assertEquals(List.of(TestKeys.DEVICES), SELECTOR.candidates("sensor-1.devices.example.com"));
        assertEquals(List.of(TestKeys.FALLBACK), SELECTOR.candidates("devices.example.com"));
        assertEquals(List.of(TestKeys.FALLBACK), SELECTOR.candidates("a.sensor-1.devices.example.com"));
    }

    @Test
    void theCommonNameCountsOnlyForACertificateWithoutDnsNames() {
        assertEquals(List.of("legacy.example.com"), HostNames.of(TestKeys.LEGACY.certificate()));
        assertEquals(List.of("broker.example.com", "mqtt.example.com"), HostNames.of(TestKeys.BROKER.certificate()));
        assertEquals(List.of(TestKeys.LEGACY), SELECTOR.candidates("legacy.example.com"));
    }

    @Test
    void noNameOrAnUnknownOneGetsTheDefault() {
        assertEquals(List.of(TestKeys.FALLBACK), SELECTOR.candidates(null));
        assertEquals(List.of(TestKeys.FALLBACK), SELECTOR.candidates("nobody.example.com"));
        assertEquals(List.of(TestKeys.FALLBACK), SELECTOR.candidates("com"));
    }

    @Test
    void onlyWholeLeftMostWildcardsOverTwoLabelsAreWildcards() {
        assertEquals("example.com", HostNames.wildcardDomain("*.example.com"));
        assertNull(HostNames.wildcardDomain("*.com"));
        assertNull(HostNames.wildcardDomain("f*.example.com"));
        assertNull(HostNames.wildcardDomain("*.*.example.com"));
        assertNull(HostNames.wildcardDomain("*.example."));
        assertNull(HostNames.wildcardDomain("example.com"));
        assertEquals("example.com", HostNames.parent("a.example.com"));
        assertNull(HostNames.parent("localhost"));
    }

    @Test
    void aliasesAreAnsweredOnlyForTheKeyTypeAsked() {
        // Without a handshake there is no SNI: the default, an EC key, is the only candidate.
        assertEquals("0", SELECTOR.chooseEngineServerAlias("EC", null, null));
        assertNull(SELECTOR.chooseEngineServerAlias("RSA", null, null));
        assertArrayEquals(new String[] {"1", "3"}, SELECTOR.getServerAliases("RSA", null));
        assertArrayEquals(TestKeys.BROKER.chain().toArray(), SELECTOR.getCertificateChain("1"));
        assertEquals(TestKeys.LEGACY.key(), SELECTOR.getPrivateKey("3"));
        assertNull(SELECTOR.getPrivateKey("4"));
        assertNull(SELECTOR.getCertificateChain("broker"));
    }

    @Test
    void asAClientItOffersTheDefaultKeyWhenItsTypeIsAccepted() {
        CertificateSelector client = new CertificateSelector(List.of(TestKeys.CLIENT), TestKeys.CLIENT);
        assertEquals("0", client.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null));
        assertNull(client.chooseEngineClientAlias(new String[] {"RSA"}, null, null));
    }

    @Test
    void theDefaultMustBeOneOfTheKeys() {
        assertThrows(IllegalArgumentException.class, () -> new CertificateSelector(List.of(TestKeys.BROKER), TestKeys.DEVICES));
        assertThrows(IllegalArgumentException.class, () -> new CertificateSelector(List.of(), TestKeys.DEVICES));
    }
}
