package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.config.Network;
import lb.core.model.RejectReason;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * PROXY headers are believed only from the trusted networks: 127.0.0.1 plays the L4 balancer in
 * front, 127.0.0.2 a client that reaches the port directly.
 */
class ProxyTrustTest {
    private static final byte[] V1_HEADER = Clients.ascii("PROXY TCP4 10.1.2.3 127.0.0.1 5555 1883\r\n");
    private static final List<Network> BALANCER = List.of(Network.parse("127.0.0.1/32"));

    @Test
    void aTrustedPeersHeaderNamesTheClient() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(BALANCER));
             Socket c = Clients.connectFrom("127.0.0.1", Balancers.address(lb))) {
            c.getOutputStream().write(V1_HEADER);
            c.getOutputStream().write(Clients.ascii("hello"));
            assertEquals("hello", new String(Clients.readExactly(c.getInputStream(), 5)));
            c.close();
            assertEquals(new InetSocketAddress("10.1.2.3", 5555), log.next().client());
        }
    }

    @Test
    void aHeaderFromAnUntrustedPeerIsRefusedBeforeAnyServer() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(BALANCER))) {
            for (byte[] header : List.of(V1_HEADER, v2Signature())) {
                try (Socket c = Clients.connectFrom("127.0.0.2", Balancers.address(lb))) {
                    OutputStream out = c.getOutputStream();
                    for (byte b : header) {
                        out.write(b); // one byte at a time: refused once it is clearly a header
                        out.flush();
                    }
                    TunnelEvent e = log.next();
                    assertEquals(Termination.PROXY_UNTRUSTED, e.termination());
                    assertEquals("127.0.0.2", e.client().getAddress().getHostAddress(), "the peer, not the claim");
                    assertTrue(e.detail().contains("127.0.0.2"), e.detail());
                    assertEquals(-1, c.getInputStream().read());
                }
            }
            assertEquals(0, echo.accepted());
            assertEquals(2, lb.stats().frontend("f").traffic().ends().count(Termination.PROXY_UNTRUSTED));
            assertEquals(2, lb.stats().frontend("f").traffic().ends().rejected(RejectReason.INSPECTOR));
        }
    }

    @Test
    void anUntrustedPeerWithoutAHeaderIsServedAsItself() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(BALANCER));
             Socket c = Clients.connectFrom("127.0.0.2", Balancers.address(lb))) {
            c.getOutputStream().write(Clients.ascii("PING")); // starts like "PROXY " for one byte only
            assertEquals("PING", new String(Clients.readExactly(c.getInputStream(), 4)));
            int port = c.getLocalPort();
            c.close();
            TunnelEvent e = log.next();
            assertEquals(new InetSocketAddress("127.0.0.2", port), e.client());
            assertEquals(4, echo.bytesReceived());
        }
    }

    @Test
    void aTrustedPeerMustSendAHeader() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(BALANCER));
             Socket c = Clients.connectFrom("127.0.0.1", Balancers.address(lb))) {
            c.getOutputStream().write(Clients.ascii("GET / HTTP/1.1\r\n"));
            assertEquals(Termination.PROXY_INVALID, log.next().termination());
            assertEquals(0, echo.accepted());
        }
    }

    /** Version 2's signature, the version and PROXY command, TCP over IPv4, 12 bytes of addresses. */
    private static byte[] v2Signature() {
        byte[] h = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C,
                10, 1, 2, 3, 127, 0, 0, 1, 0x15, (byte) 0xB3, 0x07, 0x5B};
        return h;
    }
}
