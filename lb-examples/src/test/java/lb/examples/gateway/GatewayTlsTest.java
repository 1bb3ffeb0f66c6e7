package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.core.LoadBalancer;
import lb.examples.broker.FakeBroker;
import lb.examples.it.TestTls;

/**
 * The gateway's TLS flags: MQTT over TLS on its own listener in front of the same brokers, and
 * certificates replaced on disk taken up by new clients without a restart.
 */
class GatewayTlsTest {
    /** An MQTT 3.1.1 CONNECT, client id "tls-1", clean session, keep-alive 60 s. */
    private static final byte[] CONNECT = {0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 5, 't', 'l', 's', '-', '1'};

    @TempDir
    Path dir;

    @Test
    void mqttOverTlsReachesTheBrokerAndRenewedCertificatesAreUsedWithoutARestart() throws Exception {
        Path cert = copy("broker-chain.pem", "cert.pem");
        Path key = copy("broker-key-pkcs8.pem", "key.pem");
        try (FakeBroker broker = new FakeBroker("a", new InetSocketAddress("127.0.0.1", 0), 1).start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {
                "--server", "a=127.0.0.1:" + broker.address().getPort(), "--listen", "127.0.0.1:0",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--health", "none", "--no-stats", "--tls-reload-interval", "100ms", "--inspect-delay", "30s"});
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start();
                 AutoCloseable reloader = CertificateReloader.start(lb, o, new PrintStream(log, true, StandardCharsets.UTF_8))) {
                InetSocketAddress tls = lb.frontend("mqtts").boundAddresses().get(0);
                assertEquals("broker.example.com", connackThrough(tls, "mqtt.example.com"));

                Files.copy(TestTls.file("devices-cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(TestTls.file("devices-key-pkcs8.pem"), key, StandardCopyOption.REPLACE_EXISTING);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                String served = null;
                while (System.nanoTime() < deadline) {
                    served = connackThrough(tls, "sensor-1.devices.example.com");
                    if (served.equals("*.devices.example.com")) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertEquals("*.devices.example.com", served, "new clients get the renewed certificate; log: " + log);
                assertTrue(log.toString(StandardCharsets.UTF_8).contains("TLS files changed"), log.toString(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateIsABadConfigurationExitingWith2() throws Exception {
        Path cert = copy("broker-chain.pem", "cert.pem");
        Path key = copy("devices-key-pkcs8.pem", "key.pem");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MqttGateway.run(new String[] {"--backends", "127.0.0.1:1", "--listen", "127.0.0.1:0",
            "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--no-stats", "--health", "none"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("key.pem"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void repeatedCertificatesAreChosenBySni() throws Exception {
        Path brokerCert = copy("broker-chain.pem", "broker.pem");
        Path brokerKey = copy("broker-key-pkcs8.pem", "broker.key");
        Path devicesCert = copy("devices-cert.pem", "devices.pem");
        Path devicesKey = copy("devices-key-pkcs8.pem", "devices.key");
        try (FakeBroker broker = new FakeBroker("a", new InetSocketAddress("127.0.0.1", 0), 1).start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {
                "--server", "a=127.0.0.1:" + broker.address().getPort(), "--listen", "127.0.0.1:0",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", brokerCert.toString(), "--tls-key", brokerKey.toString(),
                "--tls-cert", devicesCert.toString(), "--tls-key", devicesKey.toString(), "--health", "none", "--no-stats", "--inspect-delay", "30s"});
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
                InetSocketAddress tls = lb.frontend("mqtts").boundAddresses().get(0);
                assertEquals("broker.example.com", connackThrough(tls, "mqtt.example.com"));
                assertEquals("*.devices.example.com", connackThrough(tls, "sensor-3.devices.example.com"));
                assertEquals("broker.example.com", connackThrough(tls, "unknown.example.org"), "the first is the default");
            }
        }
    }

    @Test
    void tlsFlagsThatNeedAnotherSayWhich() {
        for (String[] args : new String[][] {
            {"--backends", "127.0.0.1:1883", "--tls-key", "key.pem"},
            {"--backends", "127.0.0.1:1883", "--server-tls-no-verify-host"},
            {"--backends", "127.0.0.1:1883", "--tls-cert", "c.pem", "--tls-client-id-from-cert"},
            {"--backends", "127.0.0.1:1883", "--tls-cert", "a.pem", "--tls-cert", "b.pem", "--tls-key", "a.key"}}) {
            UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                    () -> GatewayOptions.parse(args));
            assertTrue(e.getMessage().startsWith("--"), "names the flag: " + e.getMessage());
        }
    }

    @Test
    void brokersBehindTlsAreReachedAndCheckedOverTls() throws Exception {
        Path ca = copy("ca-cert.pem", "ca.pem");
        GatewayOptions o = GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:8883", "--listen", "127.0.0.1:0",
            "--server-tls-ca", ca.toString(), "--server-tls-no-verify-host", "--no-stats"});
        try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
            assertTrue(lb.backend("brokers").policy().tls() != null, "the backend re-encrypts");
        }
    }

    /** Sends a CONNECT over TLS, checks the CONNACK, and returns the common name the gateway presented. */
    private static String connackThrough(InetSocketAddress at, String serverName) throws Exception {
        try (SSLSocket s = (SSLSocket) TestTls.clientContext(null).getSocketFactory().createSocket(at.getAddress(), at.getPort())) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(serverName)));
            s.setSSLParameters(p);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(CONNECT);
            InputStream in = s.getInputStream();
            assertEquals(0x20, in.read(), "CONNACK");
            X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
            String subject = served.getSubjectX500Principal().getName();
            return subject.replaceAll(".*CN=([^,]+).*", "$1");
        }
    }

    private Path copy(String resourceName, String as) throws IOException {
        Path target = dir.resolve(as);
        Files.copy(TestTls.file(resourceName), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
