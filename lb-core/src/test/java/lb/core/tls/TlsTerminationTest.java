package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.config.KeyRoute;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.proxy.DecodeResult;
import lb.core.proxy.ProxyFormat;
import lb.core.proxy.ProxyHeaderDecoder;
import lb.core.proxy.Tlv;
import lb.core.proxy.TlsTlvs;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.LineKey;

/**
 * A frontend that terminates TLS, end to end through real sockets: clients speak TLS (the JDK's
 * own client), servers see plain bytes; failures end with named reasons and reach no server.
 */
class TlsTerminationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final TlsSettings SETTINGS = TlsSettings.of(TestKeys.FALLBACK, TestKeys.BROKER, TestKeys.DEVICES);

    @Test
    void bytesCrossDecryptedBothWaysByteExactAndTheClientSeesTheCertificateItsSniNamed() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, b -> b.server("a", echo.address()), f -> f.tls(SETTINGS))) {
            byte[] payload = new byte[1 << 20];
            new Random(7).nextBytes(payload);
            try (SSLSocket s = connect(lb, "mqtt.example.com", null)) {
                s.startHandshake();
                X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertEquals(TestKeys.BROKER.certificate(), served);
                Thread writer = new Thread(() -> write(s, payload));
                writer.start();
                byte[] back = Clients.readExactly(s.getInputStream(), payload.length);
                writer.join(WAIT.toMillis());
                assertArrayEquals(payload, back);
                Await.equal(0, WAIT, () -> lb.stats().loops().stream().mapToInt(l -> l.buffersInUse()).sum());
            }
            TunnelEvent e = log.next(WAIT);
            assertEquals(Termination.CLIENT_CLOSED, e.termination(), String.valueOf(e));
            assertEquals(payload.length, e.bytesFromClient(), "decrypted bytes are counted");
            assertEquals("mqtt.example.com", e.tls().serverName(), "the event tells the handshake");
            assertEquals("TLSv1.3", e.tls().protocol());
            assertEquals(1, lb.stats().frontend("f").tls().handshakes());
            assertEquals(payload.length, echo.bytesReceived(), "the server got plaintext");
        }
    }

    @Test
    void anIdleTlsTunnelHoldsNoBuffer() throws Exception {
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(null, b -> b.server("a", echo.address()), f -> f.tls(SETTINGS));
             SSLSocket s = connect(lb, "broker.example.com", null)) {
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", Clients.readLine(s.getInputStream()));
            Await.equal(0, WAIT, () -> lb.stats().loops().stream().mapToInt(l -> l.buffersInUse()).sum());
            assertEquals(1, lb.stats().process().connections());
        }
    }

    @Test
    void theKeyExtractorReadsTheDecryptedFirstBytes() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(log, b -> b.server("a", a.address()),
                     f -> f.tls(SETTINGS).keyExtractor(new LineKey()));
             SSLSocket s = connect(lb, "broker.example.com", null)) {
            s.getOutputStream().write("sensor-9\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("a", Clients.readLine(s.getInputStream()));
            s.close();
            TunnelEvent e = log.next(WAIT);
            assertEquals("sensor-9", e.key());
        }
    }

    @Test
    void plainBytesOnTheTlsPortEndWithANamedFailureAndReachNoServer() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, b -> b.server("a", echo.address()), f -> f.tls(SETTINGS));
             Socket plain = Clients.connect(Balancers.address(lb))) {
            plain.getOutputStream().write(new byte[] {0x10, 0x0c, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 0});
            assertEquals(-1, readUntilEnd(plain.getInputStream()), "the client is closed");
            TunnelEvent e = log.next(WAIT);
            assertEquals(Termination.TLS_HANDSHAKE_FAILED, e.termination());
            assertTrue(e.detail().contains("NOT_TLS"), e.detail());
            assertEquals(0, echo.accepted(), "nothing reached a server");
            lb.core.stats.TlsStats tls = lb.stats().frontend("f").tls();
            assertEquals(1L, tls.failures().get("not_tls"), "counted by reason: " + tls);
            assertEquals(0, tls.handshakes());
        }
    }

    @Test
    void aClientThatNeverFinishesItsHandshakeIsClosedWithinTheInspectDelay() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, b -> b.server("a", echo.address()),
                     f -> f.tls(SETTINGS).inspectDelay(Duration.ofMillis(300)));
             Socket silent = Clients.connect(Balancers.address(lb))) {
            TunnelEvent e = log.next(WAIT);
            assertEquals(Termination.TLS_HANDSHAKE_TIMEOUT, e.termination());
            assertEquals(0, echo.accepted());
        }
    }

    @Test
    void requiredClientCertificatesLetTheCaSignedOneInAndKeepOthersOut() throws Exception {
        EventLog log = new EventLog();
        TlsSettings mutual = SETTINGS.withClientAuth(ClientAuth.REQUIRED, TestKeys.CA);
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, b -> b.server("a", echo.address()), f -> f.tls(mutual))) {
            try (SSLSocket s = connect(lb, "broker.example.com", TestKeys.CLIENT)) {
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hello", Clients.readLine(s.getInputStream()));
            }
            TunnelEvent certified = log.next(WAIT);
            assertEquals(Termination.CLIENT_CLOSED, certified.termination());
            assertEquals(TestKeys.CLIENT.certificate(), certified.tls().clientCertificate());
            for (CertifiedKey refused : new CertifiedKey[] {null, TestKeys.ROGUE}) {
                try (SSLSocket s = connect(lb, "broker.example.com", refused)) {
                    assertThrows(IOException.class, () -> {
                        s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                        Clients.readLine(s.getInputStream());
                    });
                }
                TunnelEvent e = log.next(WAIT);
                assertEquals(Termination.TLS_HANDSHAKE_FAILED, e.termination(), String.valueOf(e));
            }
            assertEquals(1, echo.accepted(), "only the certified client reached the server");
        }
    }

    @Test
    void passthroughRoutesByServerNameAndLeavesTheTlsToTheServer() throws Exception {
        EventLog log = new EventLog();
        ServerEngines brokerTls = new ServerEngines(TlsSettings.of(TestKeys.BROKER));
        try (javax.net.ssl.SSLServerSocket broker = (javax.net.ssl.SSLServerSocket) serverContext(brokerTls)
                .getServerSocketFactory().createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(log,
                     b -> b.server("a", new InetSocketAddress(broker.getInetAddress(), broker.getLocalPort())),
                     f -> f.keyExtractor(SniPassthrough.routeByServerName().requireServerName()))) {
            Thread echo = new Thread(() -> {
                try (Socket s = broker.accept()) {
                    String line = Clients.readLine(s.getInputStream());
                    s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the test fails on the client side
                }
            });
            echo.start();
            try (SSLSocket s = connect(lb, "mqtt.example.com", null)) {
                s.getOutputStream().write("through\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("through", Clients.readLine(s.getInputStream()));
                assertEquals(TestKeys.BROKER.certificate(), s.getSession().getPeerCertificates()[0],
                        "the broker's own certificate: TLS passed through");
            }
            echo.join(WAIT.toMillis());
            assertEquals("mqtt.example.com", log.next(WAIT).key());
            try (Socket plain = Clients.connect(Balancers.address(lb))) {
                plain.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                readUntilEnd(plain.getInputStream());
            }
            TunnelEvent refused = log.next(WAIT);
            assertEquals(Termination.INSPECT_REJECTED, refused.termination());
            assertTrue(refused.detail().startsWith("not TLS"), refused.detail());
        }
    }

    /**
     * Passthrough to two groups of brokers that each terminate TLS with their own certificate:
     * a key route sends one family of server names to the second group, the rest to the first.
     */
    @Test
    void passthroughRoutesEachServerNameToTheBrokersThatServeIt() throws Exception {
        EventLog log = new EventLog();
        try (javax.net.ssl.SSLServerSocket broker = tlsEcho(TestKeys.BROKER);
             javax.net.ssl.SSLServerSocket devices = tlsEcho(TestKeys.DEVICES);
             LoadBalancer lb = Balancers.start(log,
                     g -> g.backend("devices", d -> d.server("d", new InetSocketAddress(devices.getInetAddress(),
                             devices.getLocalPort()))),
                     b -> b.server("a", new InetSocketAddress(broker.getInetAddress(), broker.getLocalPort())),
                     f -> f.keyExtractor(SniPassthrough.routeByServerName().requireServerName())
                             .route(KeyRoute.parse("*.devices.example.com", "devices")))) {
            Thread brokerEcho = echoOnce(broker);
            Thread devicesEcho = echoOnce(devices);
            for (String name : List.of("mqtt.example.com", "gw-7.devices.example.com")) {
                try (SSLSocket s = connect(lb, name, null)) {
                    s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                    assertEquals(name, Clients.readLine(s.getInputStream()));
                    CertifiedKey expected = name.endsWith(".devices.example.com") ? TestKeys.DEVICES : TestKeys.BROKER;
                    assertEquals(expected.certificate(), s.getSession().getPeerCertificates()[0], name);
                }
                TunnelEvent e = log.next(WAIT);
                assertEquals(name.endsWith(".devices.example.com") ? "devices" : "b", e.backend(), name);
            }
            brokerEcho.join(WAIT.toMillis());
            devicesEcho.join(WAIT.toMillis());
        }
    }

    private static javax.net.ssl.SSLServerSocket tlsEcho(CertifiedKey key) throws Exception {
        return (javax.net.ssl.SSLServerSocket) serverContext(new ServerEngines(TlsSettings.of(key)))
                .getServerSocketFactory().createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    }

    /** Echoes one line of one connection, then stops. */
    private static Thread echoOnce(java.net.ServerSocket server) {
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                String line = Clients.readLine(s.getInputStream());
                s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the test fails on the client side
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void aProxyV2HeaderToTheServerTellsTheClientsTlsAsHaproxyDoes() throws Exception {
        TlsSettings mutual = SETTINGS.withApplicationProtocols("mqtt").withClientAuth(ClientAuth.REQUIRED, TestKeys.CA);
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(null,
                     b -> b.server("a", new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
                             o -> o.sendProxy(ProxyFormat.V2)),
                     f -> f.tls(mutual));
             SSLSocket client = connect(lb, "mqtt.example.com", TestKeys.CLIENT)) {
            SSLParameters p = client.getSSLParameters();
            p.setApplicationProtocols(new String[] {"mqtt"});
            client.setSSLParameters(p);
            client.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            try (Socket accepted = server.accept()) {
                accepted.setSoTimeout((int) WAIT.toMillis());
                byte[] head = Clients.readExactly(accepted.getInputStream(), 16);
                int length = ((head[14] & 0xFF) << 8) | (head[15] & 0xFF);
                byte[] all = java.util.Arrays.copyOf(head, 16 + length);
                System.arraycopy(Clients.readExactly(accepted.getInputStream(), length), 0, all, 16, length);
                DecodeResult r = new ProxyHeaderDecoder().decode(java.nio.ByteBuffer.wrap(all));
                java.util.Map<Integer, byte[]> tlvs = new java.util.HashMap<>();
                r.header().tlvs().forEach(tlv -> tlvs.put(tlv.type(), tlv.value()));
                assertEquals("mqtt", new String(tlvs.get(Tlv.ALPN), StandardCharsets.US_ASCII));
                assertEquals("mqtt.example.com", new String(tlvs.get(Tlv.AUTHORITY), StandardCharsets.UTF_8));
                byte[] ssl = tlvs.get(Tlv.SSL);
                assertEquals(TlsTlvs.CLIENT_SSL | TlsTlvs.CLIENT_CERT_CONN | TlsTlvs.CLIENT_CERT_SESS, ssl[0]);
                assertEquals(0, ssl[1] | ssl[2] | ssl[3] | ssl[4], "verified");
                String subs = new String(ssl, 5, ssl.length - 5, StandardCharsets.ISO_8859_1);
                assertTrue(subs.contains("TLSv1.3") && subs.contains("device-17") && subs.contains("TLS_"), subs);
                assertEquals('x', accepted.getInputStream().read(), "then the client's decrypted bytes");
            }
        }
    }

    @Test
    void aBackendCanSpeakTlsToItsServersAndRefusesOneItCannotVerify() throws Exception {
        EventLog log = new EventLog();
        try (javax.net.ssl.SSLServerSocket broker = (javax.net.ssl.SSLServerSocket) serverContext(
                new ServerEngines(TlsSettings.of(TestKeys.BROKER))).getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = broker.accept()) {
                        String line = Clients.readLine(s.getInputStream());
                        s.getOutputStream().write(("tls:" + line + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // the second client is refused by the balancer's verification
                    }
                }
            });
            echo.start();
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", broker.getLocalPort());
            UpstreamTlsSettings trusting = UpstreamTlsSettings.trusting(TestKeys.CA);
            try (LoadBalancer lb = Balancers.start(log, b -> b.server("a", at).tls(trusting.withoutHostNameVerification()))) {
                try (Socket plain = Clients.connect(Balancers.address(lb))) {
                    plain.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("tls:hello", Clients.readLine(plain.getInputStream()), "re-encrypted to the server and back");
                }
                // the tunnel's end is awaited while the balancer runs, so its shutdown cannot end it first
                Termination ended = log.next(WAIT).termination();
                assertTrue(ended == Termination.SERVER_CLOSED || ended == Termination.CLIENT_CLOSED, String.valueOf(ended));
            }
            try (LoadBalancer lb = Balancers.start(log, b -> b.server("a", at).tls(trusting).retries(0));
                 Socket plain = Clients.connect(Balancers.address(lb))) {
                plain.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, readUntilEnd(plain.getInputStream()), "127.0.0.1 is not a name the certificate gives");
            }
            TunnelEvent refused = log.next(WAIT);
            assertEquals(Termination.SERVER_ERROR, refused.termination());
            assertTrue(refused.detail().startsWith("TLS"), refused.detail());
            echo.join(WAIT.toMillis());
        }
    }

    @Test
    void healthChecksOfABackendThatSpeaksTlsPassOnlyThroughAVerifiedHandshake() throws Exception {
        try (javax.net.ssl.SSLServerSocket broker = (javax.net.ssl.SSLServerSocket) serverContext(
                new ServerEngines(TlsSettings.of(TestKeys.BROKER))).getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!broker.isClosed()) {
                    try (Socket s = broker.accept()) {
                        ((SSLSocket) s).startHandshake();
                    } catch (IOException e) {
                        // a probe that gave up, or the end of the test
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", broker.getLocalPort());
            UpstreamTlsSettings trusting = UpstreamTlsSettings.trusting(TestKeys.CA);
            lb.core.health.HealthCheck check = lb.core.health.HealthCheck.tcp().interval(Duration.ofMillis(100))
                    .fastInterval(Duration.ofMillis(100)).rise(1).fall(1);
            try (LoadBalancer good = Balancers.start(null,
                    b -> b.server("a", at).tls(trusting.withoutHostNameVerification()).healthCheck(check));
                 LoadBalancer strict = Balancers.start(null, b -> b.server("a", at).tls(trusting).healthCheck(check))) {
                lb.core.model.Server unverifiable = strict.backend("b").server("a");
                Await.equal(false, WAIT, unverifiable::isUp);
                assertTrue(unverifiable.healthReason().startsWith("TLS"), unverifiable.healthReason());
                Thread.sleep(500); // five more checks each: with fall 1, one failed check would take it down
                lb.core.model.Server verified = good.backend("b").server("a");
                assertTrue(verified.isUp(), verified.healthReason());
                assertEquals(0, verified.downTransitions(), verified.healthReason());
            }
        }
    }

    /** A context presenting what {@code engines} present: the broker's own TLS, for passthrough. */
    private static SSLContext serverContext(ServerEngines engines) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        CertifiedKey k = engines.settings().defaultKey();
        keys.setKeyEntry("server", k.key(), new char[0], k.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static SSLSocket connect(LoadBalancer lb, String serverName, CertifiedKey clientKey) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", TestKeys.CA.get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientKey != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", clientKey.key(), new char[0], clientKey.chain().toArray(new X509Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        InetSocketAddress at = Balancers.address(lb);
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(at.getAddress(), at.getPort());
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(serverName)));
        s.setSSLParameters(p);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static void write(Socket s, byte[] bytes) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads until the balancer closes the connection: -1, whether it ended with a FIN or a reset. */
    private static int readUntilEnd(InputStream in) throws IOException {
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // discard an alert
            }
        } catch (java.net.SocketException reset) {
            // closed with unread input: a reset
        }
        return -1;
    }
}
