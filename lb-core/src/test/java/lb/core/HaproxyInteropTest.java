package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.core.config.Network;
import lb.core.model.TunnelEvent;
import lb.core.proxy.ProxyFormat;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.ExternalTool;
import lb.core.testing.FakeServer;

/**
 * PROXY protocol against a real peer, HAProxy, both ways: HAProxy's {@code send-proxy-v2} into
 * our frontend (which trusts HAProxy's address, 127.0.0.1, to send it), and our
 * {@code sendProxy(V2)} into HAProxy's {@code accept-proxy}. Needs the
 * {@code haproxy} binary: skipped without it, failing under CI (the CI script installs it).
 */
class HaproxyInteropTest {

    @Test
    void haproxysVersion2HeaderGivesUsTheRealClientAddress() throws Exception {
        String haproxy = haproxy();
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()),
                     f -> f.acceptProxy(List.of(Network.parse("127.0.0.1/32"))))) {
            int front = freePort();
            Process p = start(haproxy, config(front, Balancers.address(lb), "send-proxy-v2", false));
            try (Socket c = connectWhenReady(front)) {
                c.getOutputStream().write(Clients.ascii("ping"));
                assertEquals("ping", new String(Clients.readExactly(c.getInputStream(), 4)));
                int clientPort = c.getLocalPort();
                c.close();
                TunnelEvent e = log.next(Duration.ofSeconds(10));
                assertEquals(new InetSocketAddress("127.0.0.1", clientPort), e.client(),
                        "the address HAProxy saw, not HAProxy's own");
            } finally {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void haproxyAcceptsOurVersion2HeaderAndPassesTheAddressOn() throws Exception {
        String haproxy = haproxy();
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            int front = freePort();
            // HAProxy accepts our v2 header and sends its own v1 header on to the test's server.
            Process p = start(haproxy, config(front, (InetSocketAddress) server.getLocalSocketAddress(), "send-proxy", true));
            try (LoadBalancer lb = Balancers.start(null, b -> b.server("haproxy",
                    new InetSocketAddress("127.0.0.1", front), o -> o.sendProxy(ProxyFormat.V2)))) {
                waitUntilListening(front);
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.getOutputStream().write(Clients.ascii("x"));
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(10_000);
                        String line = Clients.readLine(s.getInputStream());
                        assertEquals("PROXY TCP4 127.0.0.1 127.0.0.1 " + c.getLocalPort() + " "
                                + Balancers.address(lb).getPort() + "\r", line);
                    }
                }
            } finally {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
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

    private static Process start(String haproxy, String config) throws IOException {
        Path file = Files.createTempFile("haproxy", ".cfg");
        Files.writeString(file, config);
        file.toFile().deleteOnExit();
        return new ProcessBuilder(haproxy, "-db", "-f", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static String haproxy() {
        return ExternalTool.require("haproxy", "haproxy").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Socket connectWhenReady(int port) throws Exception {
        waitUntilListening(port);
        return Clients.connect(new InetSocketAddress("127.0.0.1", port));
    }

    /** Waits for HAProxy to listen without connecting (a probe would be proxied too). */
    private static void waitUntilListening(int port) {
        Await.until("haproxy listening on " + port, Duration.ofSeconds(10), () -> {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return false;
            } catch (IOException e) {
                return true; // the port is taken: HAProxy listens
            }
        });
    }
}
