package lb.mqtt;

import static lb.mqtt.Packets.KEEP_ALIVE_60;
import static lb.mqtt.Packets.MQTT_311;
import static lb.mqtt.Packets.MQTT_5;
import static lb.mqtt.Packets.NO_PROPERTIES;
import static lb.mqtt.Packets.connect;
import static lb.mqtt.Packets.hexOf;
import static lb.mqtt.Packets.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.model.ClientFacts;
import lb.core.model.TlsFacts;
import lb.core.model.Verdict;

/** A CONNECT behind mutual TLS is routed only under the identity its client certificate names. */
class ClientIdFromCertificateTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final ConnectInspector RULE = Mqtt.connectInspector().withConnackReplies(true).withClientIdFromCertificate();

    @Test
    void theIdTheCertificateNamesIsRouted() throws Exception {
        Verdict v = RULE.inspect(connect311("device-17"), certified());
        assertEquals(Verdict.Kind.ROUTE, v.kind());
        assertEquals("device-17", v.key());
    }

    @Test
    void anotherIdIsRefusedWithNotAuthorizedInTheClientsVersion() throws Exception {
        Verdict v3 = RULE.inspect(connect311("device-18"), certified());
        assertEquals(Verdict.Kind.REJECT, v3.kind());
        assertEquals("20020005", hexOf(bytes(v3.reply())), "3.1.1: return code 5, not authorized");
        Verdict v5 = RULE.inspect(ByteBuffer.wrap(connect(MQTT_5, "02", KEEP_ALIVE_60, NO_PROPERTIES, str("device-18"))),
                certified());
        assertEquals("2003008700", hexOf(bytes(v5.reply())), "5.0: reason code 0x87, not authorized");
    }

    @Test
    void aTlsClientWithoutACertificateIsRefusedAndAPlainOneIsLeftAlone() {
        TlsFacts noCertificate = new TlsFacts("TLSv1.3", "TLS_AES_128_GCM_SHA256", null, null, List.of());
        assertEquals(Verdict.Kind.REJECT, RULE.inspect(connect311("device-17"), new ClientFacts(CLIENT, noCertificate)).kind());
        assertEquals(Verdict.Kind.ROUTE, RULE.inspect(connect311("anyone"), new ClientFacts(CLIENT, null)).kind());
    }

    @Test
    void withoutTheRuleTheCertificateIsNotLookedAt() throws Exception {
        Verdict v = Mqtt.connectInspector().inspect(connect311("device-18"), certified());
        assertEquals(Verdict.Kind.ROUTE, v.kind());
        assertNull(Mqtt.connectInspector().withClientIdFromCertificate()
                .inspect(connect311("device-18"), certified()).reply(), "no CONNACK unless replies are on");
    }

    private static ByteBuffer connect311(String clientId) {
        return ByteBuffer.wrap(connect(MQTT_311, "02", KEEP_ALIVE_60, str(clientId)));
    }

    /** A client whose certificate (from lb-core's test material) names CN=device-17. */
    private static ClientFacts certified() throws IOException, GeneralSecurityException {
        try (InputStream in = ClientIdFromCertificateTest.class.getResourceAsStream("/tls/client-cert.pem")) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return new ClientFacts(CLIENT, new TlsFacts("TLSv1.3", "TLS_AES_128_GCM_SHA256", "mqtt.example.com", "mqtt",
                    List.of(cert)));
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
