package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.LoadBalancerBuilder;
import lb.core.Reconfigured;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.tls.CertifiedKey;
import lb.core.tls.TlsSettings;

/**
 * New certificates applied with {@code LoadBalancer.apply} while 500 TLS tunnels are open:
 * none of them is closed, each still carries bytes both ways under the certificate it
 * handshook with, and new handshakes get the new certificate.
 */
@Timeout(120)
class TlsReloadUnderLoadIT {
    private static final int TUNNELS = 500;

    @Test
    void fiveHundredLiveTlsTunnelsSurviveACertificateChangeAndNewClientsGetTheNewOne() throws Exception {
        CertifiedKey before = TestTls.devices();
        CertifiedKey after = TestTls.fallback();
        EventLog events = new EventLog();
        List<SSLSocket> clients = new ArrayList<>();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = builder(echo, events, TlsSettings.of(before)).build().start()) {
            InetSocketAddress at = lb.frontend("tls").boundAddresses().get(0);
            SSLSocketFactory factory = TestTls.clientContext(null).getSocketFactory();
            try {
                for (int i = 0; i < TUNNELS; i++) {
                    SSLSocket s = (SSLSocket) factory.createSocket(at.getAddress(), at.getPort());
                    clients.add(s);
                    s.setSoTimeout(10_000);
                    assertEquals(before.certificate(), roundTrip(s, i), "tunnel " + i);
                }
                assertEquals(TUNNELS, echo.openConnections());

                Reconfigured r = lb.apply(builder(echo, events, TlsSettings.of(after)));
                assertEquals(List.of(), r.notApplied(), String.valueOf(r));
                assertTrue(!r.changes().isEmpty(), "the change was seen: " + r);

                try (SSLSocket fresh = (SSLSocket) factory.createSocket(at.getAddress(), at.getPort())) {
                    fresh.setSoTimeout(10_000);
                    assertEquals(after.certificate(), roundTrip(fresh, -1), "a new handshake gets the new certificate");
                }
                for (int i = 0; i < TUNNELS; i++) {
                    assertEquals(before.certificate(), roundTrip(clients.get(i), i), "tunnel " + i + " after the change");
                }
                assertEquals(1, events.size(), "only the fresh client's tunnel ended");
                assertEquals(TUNNELS, echo.openConnections());
            } finally {
                for (SSLSocket s : clients) {
                    s.close();
                }
            }
        }
    }

    /** Writes a line, reads it back; answers the certificate the balancer presented. */
    private static X509Certificate roundTrip(SSLSocket s, int i) throws Exception {
        byte[] line = ("tunnel " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        s.getOutputStream().write(line);
        assertEquals("tunnel " + i, lb.core.testing.Clients.readLine(s.getInputStream()));
        return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }

    private static LoadBalancerBuilder builder(FakeServer echo, EventLog events, TlsSettings tls) {
        return LoadBalancer.builder().eventLoops(2).listener(events)
                .backend("b", b -> b.server("echo", echo.address()))
                .frontend("tls", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).tls(tls).backend("b"));
    }
}
