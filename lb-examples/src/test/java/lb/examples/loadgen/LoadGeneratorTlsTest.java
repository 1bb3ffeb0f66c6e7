package lb.examples.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import lb.core.LoadBalancer;
import lb.core.tls.CertifiedKey;
import lb.core.tls.ClientAuth;
import lb.core.tls.PemFiles;
import lb.core.tls.TlsSettings;
import lb.examples.broker.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator over TLS against an in-process TLS-terminating balancer in front of a fake
 * broker, with the lb-core test certificates (EC P-256 server for *.devices.example.com, signed
 * by the test CA; a client certificate from the same CA).
 */
@Timeout(60)
class LoadGeneratorTlsTest {
    private static final String SERVER_NAME = "broker-1.devices.example.com";

    @TempDir
    Path dir;
    private FakeBroker broker;
    private LoadBalancer balancer;

    @BeforeEach
    void startBroker() throws IOException {
        broker = new FakeBroker("behind-tls").start();
    }

    @AfterEach
    void stop() {
        if (balancer != null) {
            balancer.close();
        }
        broker.close();
    }

    /** A balancer terminating TLS with the test server certificate, clients authenticated as {@code clientAuth} says. */
    private InetSocketAddress terminatingTls(ClientAuth clientAuth) throws Exception {
        TlsSettings tls = TlsSettings.of(CertifiedKey.fromPem(resource("devices-cert.pem"), resource("devices-key-pkcs8.pem")));
        if (clientAuth != ClientAuth.NONE) {
            tls = tls.withClientAuth(clientAuth, PemFiles.certificates(resource("ca-cert.pem")));
        }
        TlsSettings settings = tls;
        balancer = LoadBalancer.builder().eventLoops(1)
                .backend("brokers", b -> b.server("broker", broker.address()))
                // A shared machine under load may take seconds over a cold JVM's first handshakes.
                .frontend("mqtts", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).tls(settings).inspectDelay(Duration.ofSeconds(30))
                        .backend("brokers"))
                .build().start();
        return balancer.frontend("mqtts").boundAddresses().get(0);
    }

    private LoadConfig.Builder connect(InetSocketAddress target, LoadTls tls, int clients) {
        return LoadConfig.builder(Scenario.CONNECT, target).clients(clients).threads(2).clientIdPrefix("tls-")
                .maxConnectsInFlight(10).connectTimeout(Duration.ofSeconds(20)).tls(tls);
    }

    @Test
    void everyClientHandshakesThenGetsItsConnack() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadTls tls = LoadTls.trusting(resource("ca-cert.pem")).withServerName(SERVER_NAME);
        LoadResult r = LoadGenerator.run(connect(target, tls, 100).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertEquals(100, r.connected());
        assertEquals(100, r.tlsHandshakes());
        assertEquals(0, r.tlsResumed(), "a full handshake each without --tls-resume");
        assertTrue(r.tlsNegotiated().startsWith("TLSv1.3 "), r.tlsNegotiated());
        assertEquals(100, r.handshakeLatency().getTotalCount());
        assertTrue(r.connectLatency().getMaxValue() >= r.handshakeLatency().getMinValue(), "CONNACK latency includes the handshake");
        assertEquals(100, broker.servedClientIds().size(), "every CONNECT reached the broker in the clear");
        assertTrue(LoadReport.text(r).contains("100 handshakes, 0 of them resumed"), LoadReport.text(r));
    }

    @Test
    void withoutResumptionEveryHandshakeIsAFullOneEvenInTheSameProcess() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadTls tls = LoadTls.trusting(resource("ca-cert.pem")).withServerName(SERVER_NAME);
        LoadGenerator.run(connect(target, tls, 20).maxConnectsInFlight(1).build());
        LoadResult again = LoadGenerator.run(connect(target, tls, 20).maxConnectsInFlight(1).build());
        assertTrue(again.isClean(), LoadReport.text(again));
        assertEquals(20, again.tlsHandshakes());
        assertEquals(0, again.tlsResumed());
    }

    @Test
    void withResumptionEachClientResumesItsOwnEarlierSessionEvenAllAtOnce() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadTls tls = LoadTls.trusting(resource("ca-cert.pem")).withServerName(SERVER_NAME).withResumption(true);
        LoadResult first = LoadGenerator.run(connect(target, tls, 40).build());
        assertTrue(first.isClean(), LoadReport.text(first));
        assertEquals(0, first.tlsResumed(), "no client had a session yet");
        LoadResult second = LoadGenerator.run(connect(target, tls, 40).build());
        assertTrue(second.isClean(), LoadReport.text(second));
        assertEquals(40, second.tlsResumed(), "10 in flight, and every client resumed the first run's session");
        LoadResult others = LoadGenerator.run(connect(target, tls, 10).clientIdPrefix("tls-other-").build());
        assertEquals(0, others.tlsResumed(), "new client ids have no session of their own");
    }

    @Test
    void aServerCertificateFromAnotherCaFailsTheHandshakeAndIsCounted() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadTls tls = LoadTls.trusting(resource("other-ca-cert.pem")).withServerName(SERVER_NAME);
        long start = System.nanoTime();
        LoadResult r = LoadGenerator.run(connect(target, tls, 30).build());
        assertFalse(r.timedOut());
        assertEquals(0, r.connected());
        assertEquals(30, r.failed());
        assertEquals(Map.of("tls_bad_certificate", 30L), r.failureReasons());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(19).toNanos(), "failed at once, not at the connect timeout");
        assertEquals(0, broker.servedClientIds().size());
    }

    @Test
    void aCertificateForAnotherNameFailsTheHandshake() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadTls tls = LoadTls.trusting(resource("ca-cert.pem")).withServerName("mqtt.example.org");
        LoadResult r = LoadGenerator.run(connect(target, tls, 5).build());
        assertEquals(Map.of("tls_bad_certificate", 5L), r.failureReasons());
    }

    @Test
    void anyCertificateIsAcceptedUncheckedOnlyWhenAskedFor() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadResult r = LoadGenerator.run(connect(target, LoadTls.trustingAnyCertificate().withServerName("mqtt.example.org"), 5).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertEquals(5, r.tlsHandshakes());
    }

    @Test
    void aClientCertificateIsPresentedWhenTheServerRequiresOne() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.REQUIRED);
        LoadTls tls = LoadTls.trusting(resource("ca-cert.pem")).withServerName(SERVER_NAME);
        LoadResult without = LoadGenerator.run(connect(target, tls, 5).build());
        assertEquals(5, without.failed(), LoadReport.text(without));
        assertTrue(without.failureReasons().keySet().stream().allMatch(reason -> reason.startsWith("tls_")), without.failureReasons().toString());
        LoadResult with = LoadGenerator.run(connect(target, tls.withClientCertificate(resource("client-cert.pem"),
                resource("client-key-pkcs8.pem")), 5).build());
        assertTrue(with.isClean(), LoadReport.text(with));
        assertEquals(5, with.tlsHandshakes());
    }

    @Test
    void pubsubOverTlsDeliversEveryMessage() throws Exception {
        InetSocketAddress target = terminatingTls(ClientAuth.NONE);
        LoadTls tls = LoadTls.trusting(resource("ca-cert.pem")).withServerName(SERVER_NAME);
        LoadResult r = LoadGenerator.run(LoadConfig.builder(Scenario.PUBSUB, target).threads(2).publishers(5).subscribers(3)
                .rate(2_000).qos(1).messageSize(2_000).duration(Duration.ofMillis(1_500)).clientIdPrefix("tls-ps-").tls(tls).build());
        assertTrue(r.isClean(), LoadReport.text(r));
        assertTrue(r.published() > 1_000, LoadReport.text(r));
        assertEquals(r.published() * 3, r.delivered());
        assertEquals(r.published(), r.acked());
    }

    /** A test certificate file of lb-core's (its test resources, README there), copied out of the class path. */
    private Path resource(String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            try (InputStream in = LoadGeneratorTlsTest.class.getResourceAsStream("/tls/" + name)) {
                if (in == null) {
                    throw new IOException("no test resource tls/" + name);
                }
                Files.copy(in, file);
            }
        }
        return file;
    }
}
