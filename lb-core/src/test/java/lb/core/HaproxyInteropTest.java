package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.config.Network;
import lb.core.model.TunnelEvent;
import lb.core.proxy.ProxyFormat;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.HaproxyProcess;

/**
 * PROXY protocol against a real peer, HAProxy, both ways: HAProxy's {@code send-proxy-v2} into
 * our frontend (which trusts HAProxy's address, 127.0.0.1, to send it), and our
 * {@code sendProxy(V2)} into HAProxy's {@code accept-proxy}.
 */
class HaproxyInteropTest {

    @Test
    void haproxysVersion2HeaderGivesUsTheRealClientAddress() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()),
                     f -> f.acceptProxy(List.of(Network.parse("127.0.0.1/32"))))) {
            try (HaproxyProcess h = HaproxyProcess.start(port -> config(port, Balancers.address(lb), "send-proxy-v2", false));
                 Socket c = Clients.connect(new InetSocketAddress("127.0.0.1", h.port()))) {
                c.getOutputStream().write(Clients.ascii("ping"));
                assertEquals("ping", new String(Clients.readExactly(c.getInputStream(), 4)));
                int clientPort = c.getLocalPort();
                c.close();
                TunnelEvent e = log.next(Duration.ofSeconds(10));
                assertEquals(new InetSocketAddress("127.0.0.1", clientPort), e.client(),
                        "the address HAProxy saw, not HAProxy's own");
            }
        }
    }

    @Test
    void haproxyAcceptsOurVersion2HeaderAndPassesTheAddressOn() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            // HAProxy accepts our v2 header and sends its own v1 header on to the test's server.
            try (HaproxyProcess h = HaproxyProcess.start(
                    port -> config(port, (InetSocketAddress) server.getLocalSocketAddress(), "send-proxy", true));
                 LoadBalancer lb = Balancers.start(null, b -> b.server("haproxy",
                    new InetSocketAddress("127.0.0.1", h.port()), o -> o.sendProxy(ProxyFormat.V2)))) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.getOutputStream().write(Clients.ascii("x"));
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(10_000);
                        String line = Clients.readLine(s.getInputStream());
                        assertEquals("PROXY TCP4 127.0.0.1 127.0.0.1 " + c.getLocalPort() + " "
                                + Balancers.address(lb).getPort() + "\r", line);
                    }
                }
            }
        }
    }

    private static String config(int front, InetSocketAddress server, String sendProxy, boolean acceptProxy) {
        return String.join("\n",
                "global",
                "  maxconn 100",
                "defaults",
                "  mode tcp",
                "  timeout connect 5s",
                "  timeout client 30s",
                "  timeout server 30s",
                "frontend in",
                "  bind 127.0.0.1:" + front + (acceptProxy ? " accept-proxy" : ""),
                "  default_backend out",
                "backend out",
                "  server s " + server.getHostString() + ":" + server.getPort() + " " + sendProxy,
                "");
    }
}
