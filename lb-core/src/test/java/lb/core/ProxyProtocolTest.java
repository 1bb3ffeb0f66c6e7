package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.proxy.DecodeResult;
import lb.core.proxy.ProxyFormat;
import lb.core.proxy.ProxyHeaderDecoder;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/** PROXY protocol in (from an L4 balancer in front) and out (to servers). */
class ProxyProtocolTest {
    private static final byte[] V1_HEADER = Clients.ascii("PROXY TCP4 10.1.2.3 127.0.0.1 5555 1883\r\n");

    @Test
    void anAcceptedHeaderIsStrippedAndItsAddressBecomesTheClients() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(true));
             Socket c = Clients.connect(Balancers.address(lb))) {
            OutputStream out = c.getOutputStream();
            for (byte b : V1_HEADER) {
                out.write(b); // one byte at a time: the header is reassembled
                out.flush();
            }
            out.write(Clients.ascii("hello"));
            assertEquals("hello", new String(Clients.readExactly(c.getInputStream(), 5)));
            c.close();
            TunnelEvent e = log.next();
            assertEquals(new InetSocketAddress("10.1.2.3", 5555), e.client());
            assertEquals(5, e.bytesFromClient(), "the header is not counted as the client's bytes");
            assertEquals(5, echo.bytesReceived(), "the server never sees the header");
        }
    }

    @Test
    void aMissingHeaderClosesTheConnectionBeforeAnyServer() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(true));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(Clients.ascii("GET / HTTP/1.1\r\n"));
            TunnelEvent e = log.next();
            assertEquals(Termination.PROXY_INVALID, e.termination());
            assertTrue(e.detail().contains("PROXY"), e.detail());
            assertEquals(-1, c.getInputStream().read());
            assertEquals(0, echo.accepted());
        }
    }

    @Test
    void aServerReceivesAVersion1HeaderNamingTheClientFirst() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(null, b -> b.server("s",
                     (InetSocketAddress) server.getLocalSocketAddress(), o -> o.sendProxy(ProxyFormat.V1)));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(Clients.ascii("payload"));
            try (Socket s = server.accept()) {
                s.setSoTimeout(5_000);
                String line = Clients.readLine(s.getInputStream());
                String expected = "PROXY TCP4 127.0.0.1 127.0.0.1 " + c.getLocalPort() + " " + Balancers.address(lb).getPort() + "\r";
                assertEquals(expected, line);
                assertEquals("payload", new String(Clients.readExactly(s.getInputStream(), 7)));
            }
        }
    }

    @Test
    void aProxiedClientsAddressIsPassedOnInVersion2() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(null, b -> b.server("s",
                     (InetSocketAddress) server.getLocalSocketAddress(), o -> o.sendProxy(ProxyFormat.V2)),
                     f -> f.acceptProxy(true));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(V1_HEADER);
            c.getOutputStream().write(Clients.ascii("data"));
            CompletableFuture<DecodeResult> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(5_000);
                    InputStream in = s.getInputStream();
                    ByteBuffer buf = ByteBuffer.allocate(256);
                    ProxyHeaderDecoder decoder = new ProxyHeaderDecoder();
                    while (true) {
                        int b = in.read();
                        if (b < 0) {
                            throw new AssertionError("EOF in header");
                        }
                        buf.put((byte) b);
                        DecodeResult r = decoder.decode(buf.duplicate().flip());
                        if (r.status() != DecodeResult.Status.NEED_MORE) {
                            assertArrayEquals(Clients.ascii("data"), Clients.readExactly(in, 4));
                            return r;
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            DecodeResult r = seen.get(10, TimeUnit.SECONDS);
            assertTrue(r.isDecoded(), r.toString());
            assertEquals(ProxyFormat.V2, r.format());
            assertEquals(new InetSocketAddress("10.1.2.3", 5555), r.header().source());
            assertEquals(new InetSocketAddress("127.0.0.1", 1883), r.header().destination());
        }
    }
}
