package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.core.tls.TlsFailure.Reason;
import lb.core.tls.TlsLayer.State;

/**
 * A server layer and a client layer talking in memory: which certificate SNI picks, ALPN, mutual
 * TLS, the named failures, close_notify, and that an idle layer holds no buffer.
 */
class TlsLayerTest {
    private static final ServerEngines SERVER = new ServerEngines(
            TlsSettings.of(TestKeys.FALLBACK, TestKeys.BROKER, TestKeys.DEVICES, TestKeys.LEGACY)
                    .withApplicationProtocols("mqtt"));
    private static final UpstreamEngines CLIENT = new UpstreamEngines(
            UpstreamTlsSettings.trusting(TestKeys.CA).withApplicationProtocols("mqtt"));

    @Test
    void sniPicksTheCertificateNamingTheHostExactlyByWildcardOrByCommonName() {
        assertServedBy("broker.example.com", TestKeys.BROKER);
        assertServedBy("mqtt.example.com", TestKeys.BROKER);
        assertServedBy("sensor-7.devices.example.com", TestKeys.DEVICES);
        assertServedBy("legacy.example.com", TestKeys.LEGACY);
    }

    @Test
    void aClientWithoutSniOrAskingForAnUnknownNameGetsTheDefault() {
        UpstreamEngines anyName = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withoutHostNameVerification());
        for (String host : new String[] {"10.0.0.1", "nobody.example.com", "a.b.devices.example.com"}) {
            TlsPair pair = new TlsPair(anyName.newEngine(host, 8883), SERVER.newEngine()).handshake();
            assertEquals(State.OPEN, pair.client.state(), host + ": " + pair.client.failure());
            assertEquals(TestKeys.FALLBACK.certificate(), pair.client.handshake().peerCertificates().get(0), host);
        }
    }

    @Test
    void theHandshakeReportsProtocolCipherAlpnAndServerNameOnBothSides() {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();

        Handshake server = pair.server.handshake();
        Handshake client = pair.client.handshake();
        assertEquals("TLSv1.3", server.protocol());
        assertEquals(server.cipherSuite(), client.cipherSuite());
        assertEquals("mqtt", server.applicationProtocol());
        assertEquals("mqtt", client.applicationProtocol());
        assertEquals("broker.example.com", server.serverName());
        assertEquals("broker.example.com", client.serverName());
        assertEquals(List.of(), server.peerCertificates(), "no client authentication");
        assertEquals(TestKeys.BROKER.chain(), client.peerCertificates());
        assertEquals("Handshake[TLSv1.3, " + client.cipherSuite() + ", alpn=mqtt, sni=broker.example.com, "
                + "peer=[CN=broker.example.com,O=lb test, CN=lb test CA,O=lb test]]", client.toString());
    }

    @Test
    void aClientOfferingNoAlpnIsServedWithoutAndOneOfferingOnlyOthersIsRefused() {
        UpstreamEngines noAlpn = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA));
        TlsPair plain = new TlsPair(noAlpn.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertEquals(State.OPEN, plain.server.state());
        assertNull(plain.server.handshake().applicationProtocol());

        UpstreamEngines http = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withApplicationProtocols("h2"));
        TlsPair refused = new TlsPair(http.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertFailure(refused.server, Reason.NO_SHARED_APPLICATION_PROTOCOL, false);
        assertFailure(refused.client, Reason.NO_SHARED_APPLICATION_PROTOCOL, true);
    }

    @Test
    void requiredClientCertificatesPassWhenSignedByTheCaAndReachTheServer() {
        ServerEngines mutual = new ServerEngines(TlsSettings.of(TestKeys.BROKER).withClientAuth(ClientAuth.REQUIRED, TestKeys.CA_BUNDLE));
        UpstreamEngines device = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withClientKey(TestKeys.CLIENT));

        TlsPair pair = new TlsPair(device.newEngine("broker.example.com", 8883), mutual.newEngine()).handshake();

        assertEquals(State.OPEN, pair.server.state(), String.valueOf(pair.server.failure()));
        List<X509Certificate> presented = pair.server.handshake().peerCertificates();
        assertEquals(TestKeys.CLIENT.certificate(), presented.get(0));
        assertEquals("CN=device-17,O=lb test", presented.get(0).getSubjectX500Principal().getName());
        exchange(pair, "CONNECT", "CONNACK");
    }

    @Test
    void requiredClientCertificatesFailWithANamedReasonWhenMissingOrSelfSigned() {
        ServerEngines mutual = new ServerEngines(TlsSettings.of(TestKeys.BROKER).withClientAuth(ClientAuth.REQUIRED, TestKeys.CA_BUNDLE));

        UpstreamEngines anonymous = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA));
        TlsPair missing = new TlsPair(anonymous.newEngine("broker.example.com", 8883), mutual.newEngine()).handshake();
        assertFailure(missing.server, Reason.CERTIFICATE_REQUIRED, false);
        assertEquals(State.FAILED, missing.client.state(), "the client learns from the server's alert");
        assertTrue(missing.client.failure().raisedByPeer(), String.valueOf(missing.client.failure()));

        UpstreamEngines rogue = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withClientKey(TestKeys.ROGUE));
        TlsPair selfSigned = new TlsPair(rogue.newEngine("broker.example.com", 8883), mutual.newEngine()).handshake();
        assertFailure(selfSigned.server, Reason.BAD_CERTIFICATE, false);
        assertFailure(selfSigned.client, Reason.BAD_CERTIFICATE, true);
    }

    @Test
    void optionalClientAuthenticationLetsAnAnonymousClientInButNotARogueOne() {
        ServerEngines optional = new ServerEngines(TlsSettings.of(TestKeys.BROKER).withClientAuth(ClientAuth.OPTIONAL, TestKeys.CA));
        UpstreamEngines anonymous = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA));
        TlsPair pair = new TlsPair(anonymous.newEngine("broker.example.com", 8883), optional.newEngine()).handshake();
        assertEquals(State.OPEN, pair.server.state(), String.valueOf(pair.server.failure()));
        assertEquals(List.of(), pair.server.handshake().peerCertificates());

        UpstreamEngines rogue = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withClientKey(TestKeys.ROGUE));
        TlsPair refused = new TlsPair(rogue.newEngine("broker.example.com", 8883), optional.newEngine()).handshake();
        assertFailure(refused.server, Reason.BAD_CERTIFICATE, false);
    }

    @Test
    void aServerCertificateForAnotherNameOrFromAnUnknownCaIsABadCertificate() {
        UpstreamEngines verifying = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA));
        TlsPair wrongName = new TlsPair(verifying.newEngine("nobody.example.com", 8883), SERVER.newEngine()).handshake();
        assertFailure(wrongName.client, Reason.BAD_CERTIFICATE, false);
        assertFailure(wrongName.server, Reason.BAD_CERTIFICATE, true);

        UpstreamEngines otherCa = new UpstreamEngines(UpstreamTlsSettings.trusting(List.of(TestKeys.ROGUE.certificate())));
        TlsPair untrusted = new TlsPair(otherCa.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertFailure(untrusted.client, Reason.BAD_CERTIFICATE, false);
    }

    @Test
    void noSharedProtocolOrCipherIsNamedAsSuch() {
        ServerEngines tls13 = new ServerEngines(TlsSettings.of(TestKeys.BROKER).withProtocols("TLSv1.3"));
        UpstreamEngines tls12 = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withProtocols("TLSv1.2"));
        TlsPair protocols = new TlsPair(tls12.newEngine("broker.example.com", 8883), tls13.newEngine()).handshake();
        assertFailure(protocols.server, Reason.NO_SHARED_PROTOCOL, false);
        assertFailure(protocols.client, Reason.NO_SHARED_PROTOCOL, true);

        UpstreamEngines cbcOnly = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withProtocols("TLSv1.2")
                .withCipherSuites("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"));
        TlsPair ciphers = new TlsPair(cbcOnly.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertFailure(ciphers.server, Reason.NO_SHARED_CIPHER, false);
        assertFailure(ciphers.client, Reason.NO_SHARED_CIPHER, true);
    }

    @Test
    void aTls12ClientGetsAStrongSuite() {
        UpstreamEngines tls12 = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA).withProtocols("TLSv1.2"));
        TlsPair pair = new TlsPair(tls12.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertEquals("TLSv1.2", pair.server.handshake().protocol());
        assertTrue(TlsDefaults.isStrong(pair.server.handshake().cipherSuite()), pair.server.handshake().cipherSuite());
        exchange(pair, "ping", "pong");
    }

    @Test
    void bytesThatAreNotTlsFailAsNotTls() {
        TlsLayer server = new TlsLayer(SERVER.newEngine(), new CountingBuffers());
        server.start();
        State state = server.receive(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(State.FAILED, state);
        assertEquals(Reason.NOT_TLS, server.failure().reason(), server.failure().toString());
    }

    @Test
    void aHandshakeDeliveredOneByteAtATimeCompletes() {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), SERVER.newEngine(), new Random(1), 1, 1).handshake();
        assertEquals(State.OPEN, pair.server.state());
        assertEquals(State.OPEN, pair.client.state());
        exchange(pair, "hello over single bytes", "and back");
    }

    @Test
    void closeNotifyFromTheClientReachesTheServerWhichThenClosesToo() {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        exchange(pair, "last words", "ok");

        assertEquals(State.CLOSING, pair.client.close());
        pair.pump();
        assertEquals(State.PEER_CLOSED, pair.server.state());
        pair.send(pair.server, "after your close".getBytes(StandardCharsets.US_ASCII));
        assertEquals("ok" + "after your close", pair.toClientApp.toString(StandardCharsets.US_ASCII), "a half-closed peer still reads");

        pair.server.close();
        pair.pump();
        assertEquals(State.CLOSED, pair.server.state());
        assertEquals(State.CLOSED, pair.client.state());
        assertEquals(State.CLOSED, pair.server.endOfInput(), "end of stream after close_notify is no failure");
        assertNoBuffersHeld(pair);
    }

    @Test
    void closeNotifyFromTheServerReachesTheClient() {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        pair.server.close();
        pair.pump();
        assertEquals(State.PEER_CLOSED, pair.client.state());
        pair.client.close();
        pair.pump();
        assertEquals(State.CLOSED, pair.client.state());
        assertEquals(State.CLOSED, pair.server.state());
    }

    @Test
    void endOfStreamWithoutCloseNotifyIsATruncation() {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertEquals(State.FAILED, pair.server.endOfInput());
        assertEquals(Reason.TRUNCATED, pair.server.failure().reason(), pair.server.failure().toString());
    }

    @Test
    void aPeerGoneDuringTheHandshakeIsATruncationWhateverItSent() {
        TlsLayer silent = new TlsLayer(SERVER.newEngine(), new CountingBuffers());
        silent.start();
        assertEquals(State.FAILED, silent.endOfInput());
        assertEquals(Reason.TRUNCATED, silent.failure().reason());

        byte[] hello = Hellos.fromJdk("broker.example.com", List.of("mqtt"));
        CountingBuffers buffers = new CountingBuffers();
        TlsLayer halfway = new TlsLayer(SERVER.newEngine(), buffers);
        halfway.receive(ByteBuffer.wrap(hello, 0, hello.length / 2));
        assertEquals(1, halfway.borrowedBuffers(), "half a record is held");
        assertEquals(State.FAILED, halfway.endOfInput());
        assertEquals(Reason.TRUNCATED, halfway.failure().reason(), halfway.failure().toString());
        assertEquals(0, halfway.borrowedBuffers());
        assertEquals(0, buffers.outstanding());
    }

    @Test
    void closingDuringTheHandshakeSendsAnAlertAndStopsSending() {
        TlsLayer client = new TlsLayer(CLIENT.newEngine("broker.example.com", 8883), new CountingBuffers());
        client.start();
        client.ciphertext().position(client.ciphertext().limit()); // the ClientHello, sent
        assertEquals(State.CLOSING, client.close());
        assertTrue(client.ciphertext().hasRemaining(), "an alert for the server");
        assertEquals(0, client.ciphertext().position());
        ByteBuffer ignored = ByteBuffer.wrap(new byte[] {1, 2, 3});
        client.send(ignored);
        assertEquals(3, ignored.remaining());

        CountingBuffers buffers = new CountingBuffers();
        TlsLayer neverStarted = new TlsLayer(CLIENT.newEngine("broker.example.com", 8883), buffers);
        neverStarted.close();
        assertEquals(0, neverStarted.ciphertext().remaining(), "no peer to tell");
        assertEquals(0, buffers.takes());
    }

    @Test
    void afterTheHandshakeAndADrainedExchangeNoBufferIsHeld() {
        TlsPair pair = new TlsPair(CLIENT.newEngine("broker.example.com", 8883), SERVER.newEngine()).handshake();
        assertNoBuffersHeld(pair);

        exchange(pair, "x".repeat(40_000), "y".repeat(70_000));

        assertNoBuffersHeld(pair);
        assertTrue(pair.serverBuffers.takes() > 0);
        assertTrue(pair.serverBuffers.mostLent() <= 3, "at most held, plaintext and ciphertext at once");
    }

    @Test
    void aFailedLayerHoldsNoBufferOnceItsAlertIsSent() {
        TlsLayer server = new TlsLayer(SERVER.newEngine(), new CountingBuffers());
        server.receive(ByteBuffer.wrap(new byte[] {22, 3, 1, 0, 5, 1, 0, 0, 1, 0}));
        assertEquals(State.FAILED, server.state());
        server.ciphertext().position(server.ciphertext().limit());
        server.resume();
        assertEquals(0, server.borrowedBuffers());
        assertSame(State.FAILED, server.receive(ByteBuffer.wrap(new byte[] {1, 2, 3})), "and takes nothing more");
        assertEquals(0, server.borrowedBuffers());
    }

    private static void exchange(TlsPair pair, String fromClient, String fromServer) {
        int clientHad = pair.toServerApp.size();
        int serverHad = pair.toClientApp.size();
        pair.send(pair.client, fromClient.getBytes(StandardCharsets.US_ASCII));
        pair.send(pair.server, fromServer.getBytes(StandardCharsets.US_ASCII));
        pair.pump();
        byte[] atServer = pair.toServerApp.toByteArray();
        byte[] atClient = pair.toClientApp.toByteArray();
        assertArrayEquals(fromClient.getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOfRange(atServer, clientHad, atServer.length));
        assertArrayEquals(fromServer.getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOfRange(atClient, serverHad, atClient.length));
    }

    private static void assertServedBy(String host, CertifiedKey expected) {
        TlsPair pair = new TlsPair(CLIENT.newEngine(host, 8883), SERVER.newEngine()).handshake();
        assertEquals(State.OPEN, pair.client.state(), host + ": " + pair.client.failure() + " / " + pair.server.failure());
        assertEquals(expected.certificate(), pair.client.handshake().peerCertificates().get(0), host);
        assertEquals(host, pair.server.handshake().serverName());
    }

    private static void assertFailure(TlsLayer layer, Reason reason, boolean raisedByPeer) {
        assertEquals(State.FAILED, layer.state());
        assertEquals(reason, layer.failure().reason(), layer.failure().toString());
        assertEquals(raisedByPeer, layer.failure().raisedByPeer(), layer.failure().toString());
    }

    private static void assertNoBuffersHeld(TlsPair pair) {
        assertEquals(0, pair.client.borrowedBuffers());
        assertEquals(0, pair.server.borrowedBuffers());
        assertEquals(0, pair.clientBuffers.outstanding());
        assertEquals(0, pair.serverBuffers.outstanding());
        assertEquals(pair.serverBuffers.takes(), pair.serverBuffers.gives());
        assertEquals(pair.clientBuffers.takes(), pair.clientBuffers.gives());
    }
}
