package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * A loop runs a bounded number of TLS handshakes at once (here one): a client whose hello
 * arrives while the slot is taken waits, its bytes unread, and gets its turn when the slot is
 * given back; one that waits longer than the TLS handshake timeout ends with a reason saying so.
 */
class HandshakeTurnsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The start of a TLS record holding a ClientHello: enough to take a slot, never finished. */
    private static final byte[] HELLO_BEGUN = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};

    @Test
    void aClientWaitsForTheSlotAndIsServedWhenItIsGivenBack() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, g -> g.eventLoops(1).tlsHandshakesPerLoop(1),
                     b -> b.server("a", echo.address()),
                     f -> f.tls(TlsSettings.of(TestKeys.BROKER)).inspectDelay(Duration.ofSeconds(20)))) {
            InetSocketAddress at = Balancers.address(lb);
            Socket stalled = Clients.connect(at);
            stalled.getOutputStream().write(HELLO_BEGUN);
            Thread.sleep(200); // its bytes are read: it holds the loop's one slot
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> echoThroughTls(at, "waited"));
            Await.equal(1, WAIT, () -> lb.stats().loops().get(0).tlsHandshakesWaiting());
            assertEquals(1, lb.stats().loops().get(0).tlsHandshakes(), "the stalled one holds the slot");
            Thread.sleep(500);
            assertFalse(served.isDone(), "no handshake while the one slot is taken");
            stalled.close(); // the slot is given back
            assertEquals("waited", served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(0, lb.stats().loops().get(0).tlsHandshakesWaiting());
            assertEquals(0, lb.stats().loops().get(0).tlsHandshakes(), "both slots given back");
            TunnelEvent first = log.next(WAIT);
            assertEquals(Termination.CLIENT_ABORTED, first.termination(), String.valueOf(first));
        }
    }

    @Test
    void aClientThatWaitsLongerThanTheHandshakeTimeoutEndsSayingSo() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(log, g -> g.eventLoops(1).tlsHandshakesPerLoop(1),
                     b -> b.server("a", echo.address()),
                     f -> f.tls(TlsSettings.of(TestKeys.BROKER)).inspectDelay(Duration.ofSeconds(20))
                             .tlsHandshakeTimeout(Duration.ofMillis(500)));
             Socket stalled = Clients.connect(Balancers.address(lb));
             Socket waiting = Clients.connect(Balancers.address(lb))) {
            stalled.getOutputStream().write(HELLO_BEGUN);
            Thread.sleep(200);
            waiting.getOutputStream().write(HELLO_BEGUN);
            TunnelEvent e = log.next(WAIT);
            assertEquals(Termination.TLS_HANDSHAKE_TIMEOUT, e.termination(), String.valueOf(e));
            assertTrue(e.detail().startsWith("no turn for a TLS handshake within 500 ms"), e.detail());
            assertEquals(0, echo.accepted());
        }
    }

    private static String echoThroughTls(InetSocketAddress at, String line) {
        try (SSLSocket s = (SSLSocket) clientContext().getSocketFactory().createSocket(at.getAddress(), at.getPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(Clients.ascii(line + "\n"));
            return Clients.readLine(s.getInputStream());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", TestKeys.CA.get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
