package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxySSLTLV;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import lb.core.LoadBalancer;
import lb.core.testing.Clients;
import lb.core.testing.HaproxyProcess;
import lb.examples.broker.FakeBroker;
import lb.examples.it.TestTls;

/**
 * What the gateway tells a broker about a client's TLS in its PROXY v2 header, read by two
 * readers that are not ours: a real HAProxy behind {@code accept-proxy} (its 2.6 release reads
 * the client's address and the server name, and skips the SSL vector), and Netty's PROXY
 * protocol decoder, which reads the SSL vector down to the client certificate's common name.
 */
class ProxyTlsFactsTest {
    /** An MQTT 3.1.1 CONNECT, client id "tls-1", clean session, keep-alive 60 s. */
    private static final byte[] CONNECT = {0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 5, 't', 'l', 's', '-', '1'};
    private static final String SERVER_NAME = "mqtt.example.com";

    @Test
    void aRealHaproxyAcceptsTheHeaderWithTheTlsVectorsAndReadsTheClientAndTheServerName() throws Exception {
        try (FakeBroker broker = new FakeBroker("a", new InetSocketAddress("127.0.0.1", 0), 1).start();
             HaproxyProcess haproxy = HaproxyProcess.start(port -> haproxyInFrontOf(port, broker.address()));
             LoadBalancer lb = gateway(haproxy.port())) {
            int clientPort;
            try (SSLSocket client = connect(lb)) {
                client.getOutputStream().write(CONNECT);
                assertEquals(0x20, client.getInputStream().read(), "CONNACK from the broker behind HAProxy");
                clientPort = client.getLocalPort();
            }
            String logged = haproxy.awaitLine("pp client=", Duration.ofSeconds(10))
                    .orElseThrow(() -> new AssertionError("HAProxy logged no session: " + output(haproxy)));
            assertEquals("pp client=127.0.0.1:" + clientPort + " authority=" + SERVER_NAME, logged.trim(),
                    "HAProxy saw the gateway's client, not the gateway");
        }
    }

    @Test
    void nettysDecoderReadsTheClientsTlsVersionCipherAndCertificateName() throws Exception {
        try (ServerSocket broker = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             LoadBalancer lb = gateway(broker.getLocalPort());
             SSLSocket client = connect(lb)) {
            client.getOutputStream().write(CONNECT);
            try (Socket accepted = broker.accept()) {
                accepted.setSoTimeout(10_000);
                InputStream in = accepted.getInputStream();
                byte[] head = Clients.readExactly(in, 16);
                int length = ((head[14] & 0xFF) << 8) | (head[15] & 0xFF);
                EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
                decoder.writeInbound(Unpooled.wrappedBuffer(head, Clients.readExactly(in, length)));
                HAProxyMessage header = decoder.readInbound();
                assertNotNull(header, "Netty decoded a whole header");
                try {
                    assertEquals("127.0.0.1", header.sourceAddress());
                    assertEquals(client.getLocalPort(), header.sourcePort());
                    Map<HAProxyTLV.Type, String> tlvs = texts(header.tlvs());
                    assertEquals(SERVER_NAME, tlvs.get(HAProxyTLV.Type.PP2_TYPE_AUTHORITY));
                    assertEquals("mqtt", tlvs.get(HAProxyTLV.Type.PP2_TYPE_ALPN));
                    HAProxySSLTLV ssl = (HAProxySSLTLV) header.tlvs().stream()
                            .filter(t -> t.type() == HAProxyTLV.Type.PP2_TYPE_SSL).findFirst()
                            .orElseThrow(() -> new AssertionError("no SSL vector: " + header.tlvs()));
                    assertTrue(ssl.isPP2ClientSSL() && ssl.isPP2ClientCertConn() && ssl.isPP2ClientCertSess());
                    assertEquals(0, ssl.verify(), "the client certificate was verified");
                    Map<HAProxyTLV.Type, String> inner = texts(ssl.encapsulatedTLVs());
                    assertEquals("TLSv1.3", inner.get(HAProxyTLV.Type.PP2_TYPE_SSL_VERSION));
                    assertEquals("device-17", inner.get(HAProxyTLV.Type.PP2_TYPE_SSL_CN));
                    assertTrue(ssl.encapsulatedTLVs().stream().anyMatch(t -> t.typeByteValue() == 0x23
                            && t.content().toString(StandardCharsets.US_ASCII).startsWith("TLS_")), "the cipher");
                } finally {
                    header.release();
                }
                assertEquals(0x10, in.read(), "then the client's CONNECT, decrypted");
            }
        }
    }

    /** The gateway: MQTT over TLS with required client certificates, one broker sent PROXY v2. */
    private static LoadBalancer gateway(int brokerPort) throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {
            "--server", "a=127.0.0.1:" + brokerPort + ",proxy=v2", "--listen", "127.0.0.1:0",
            "--tls-listen", "127.0.0.1:0", "--tls-cert", TestTls.file("broker-chain.pem").toString(),
            "--tls-key", TestTls.file("broker-key-pkcs8.pem").toString(), "--tls-alpn", "mqtt",
            "--tls-client-ca", TestTls.file("ca-cert.pem").toString(), "--tls-client-auth", "required",
            "--health", "none", "--no-stats", "--inspect-delay", "30s"});
        return GatewaySetup.builder(o).build().start();
    }

    /** A client with the test CA's device certificate, asking for the server name and ALPN "mqtt". */
    private static SSLSocket connect(LoadBalancer lb) throws Exception {
        InetSocketAddress at = lb.frontend("mqtts").boundAddresses().get(0);
        SSLSocket s = (SSLSocket) TestTls.clientContext(TestTls.client()).getSocketFactory().createSocket(at.getAddress(), at.getPort());
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(SERVER_NAME)));
        p.setApplicationProtocols(new String[] {"mqtt"});
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String haproxyInFrontOf(int port, InetSocketAddress broker) {
        return String.join("\n",
                "global",
                "  log stdout format raw local0 info",
                "defaults",
                "  mode tcp",
                "  log global",
                "  timeout connect 5s",
                "  timeout client 30s",
                "  timeout server 30s",
                "frontend in",
                "  bind 127.0.0.1:" + port + " accept-proxy",
                "  log-format \"pp client=%ci:%cp authority=%[fc_pp_authority]\"",
                "  default_backend out",
                "backend out",
                "  server s 127.0.0.1:" + broker.getPort(),
                "");
    }

    private static Map<HAProxyTLV.Type, String> texts(List<HAProxyTLV> tlvs) {
        Map<HAProxyTLV.Type, String> texts = new HashMap<>();
        tlvs.forEach(t -> texts.put(t.type(), t.content().toString(StandardCharsets.UTF_8)));
        return texts;
    }

    private static String output(HaproxyProcess haproxy) {
        try {
            return haproxy.output();
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
