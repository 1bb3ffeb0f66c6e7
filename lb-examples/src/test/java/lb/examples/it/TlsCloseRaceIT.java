package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.model.TunnelEvent;
import lb.core.model.Termination;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.tls.TlsSettings;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * A TLS client that sends DISCONNECT and closes at once while the broker, having read the
 * DISCONNECT, closes too: both ends close at about the same time. Every tunnel must end within
 * moments, as over plain TCP, not wait for the half-close timeout.
 */
@Timeout(60)
class TlsCloseRaceIT {
    private static final byte[] CONNECT = {0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 5, 'r', 'a', 'c', 'e', '1'};
    private static final byte[] DISCONNECT = {(byte) 0xE0, 0};
    private static final int ROUNDS = 100;

    @Test
    void tunnelsWhoseTwoEndsCloseTogetherEndPromptly() throws Exception {
        EventLog events = new EventLog();
        try (FakeBroker broker = new FakeBroker("a").start();
             LoadBalancer lb = LoadBalancer.builder().eventLoops(2).listener(events)
                     .backend("brokers", b -> b.server("a", broker.address()))
                     .frontend("mqtts", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                             .tls(TlsSettings.of(key())).keyExtractor(Mqtt.connectInspector()).backend("brokers"))
                     .build().start()) {
            InetSocketAddress at = lb.frontend("mqtts").boundAddresses().get(0);
            SSLSocketFactory factory = TestTls.clientContext(null).getSocketFactory();
            List<String> slow = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                try (SSLSocket s = (SSLSocket) factory.createSocket(at.getAddress(), at.getPort())) {
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    out.write(CONNECT);
                    assertEquals(0x20, in.read(), "CONNACK");
                    in.readNBytes(3);
                    out.write(DISCONNECT);
                }
                TunnelEvent e = events.next(Duration.ofSeconds(40));
                if (e.totalNs() > Duration.ofSeconds(5).toNanos()) {
                    slow.add("round " + i + ": " + e);
                }
            }
            assertEquals(List.of(), slow, "tunnels that waited for a timeout");
        }
    }

    @Test
    void aTls12Or13ClientThatClosesAfterItsAnswerEndsItsTunnelAtOnce() throws Exception {
        EventLog events = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = LoadBalancer.builder().eventLoops(2).listener(events)
                     .backend("b", b -> b.server("echo", echo.address()))
                     .frontend("tls", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                             .tls(TlsSettings.of(key())).backend("b"))
                     .build().start()) {
            InetSocketAddress at = lb.frontend("tls").boundAddresses().get(0);
            SSLSocketFactory factory = TestTls.clientContext(null).getSocketFactory();
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                try (SSLSocket s = (SSLSocket) factory.createSocket(at.getAddress(), at.getPort())) {
                    s.setEnabledProtocols(new String[] {protocol});
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    assertEquals("hello", Clients.readLine(s.getInputStream()));
                }
                TunnelEvent e = events.next(Duration.ofSeconds(40));
                assertEquals(protocol, e.tls().protocol());
                assertEquals(Termination.CLIENT_CLOSED, e.termination(), protocol + ": " + e);
            }
        }
    }

    private static lb.core.tls.CertifiedKey key() {
        try {
            return TestTls.broker();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
