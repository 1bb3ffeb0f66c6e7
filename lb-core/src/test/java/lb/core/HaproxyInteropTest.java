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
            Running h = startListening(haproxy, port -> config(port, Balancers.address(lb), "send-proxy-v2", false));
            Process p = h.process();
            try (Socket c = Clients.connect(new InetSocketAddress("127.0.0.1", h.port()))) {
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
            // HAProxy accepts our v2 header and sends its own v1 header on to the test's server.
            Running h = startListening(haproxy,
                    port -> config(port, (InetSocketAddress) server.getLocalSocketAddress(), "send-proxy", true));
            Process p = h.process();
            try (LoadBalancer lb = Balancers.start(null, b -> b.server("haproxy",
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

    record Running(Process process, int port) {
    }

    /**
     * Starts HAProxy on a free port and waits until it listens. A port picked free may be taken
     * before HAProxy binds it (other tests open thousands of sockets): HAProxy then exits, and
     * it is started again on another port, a few times at most.
     */
    private static Running startListening(String haproxy, java.util.function.IntFunction<String> configFor)
            throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Process p = start(haproxy, configFor.apply(port));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (p.isAlive() && System.nanoTime() < deadline) {
                if (isListening(port)) {
                    return new Running(p, port);
                }
                Thread.sleep(20);
            }
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        throw new AssertionError("haproxy did not start listening in 5 attempts");
    }

    /** Tells whether HAProxy listens without connecting (a probe would be proxied too). */
    private static boolean isListening(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true; // the port is taken: HAProxy listens
        }
    }
}
