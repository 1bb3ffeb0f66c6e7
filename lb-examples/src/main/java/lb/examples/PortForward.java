package lb.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import lb.core.LoadBalancer;

/**
 * The smallest useful load balancer: forwards a port to one or more servers, round robin.
 *
 * <pre>
 * PortForward [LISTEN_HOST:PORT TARGET_HOST:PORT[,TARGET_HOST:PORT...]]
 * </pre>
 *
 * With no arguments it starts an in-process echo server, forwards 127.0.0.1:15883 to it, sends
 * a line through to show the path works, and keeps serving until Ctrl-C.
 */
public final class PortForward {
    private PortForward() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 || args.length > 2) {
            System.err.println("usage: PortForward [LISTEN_HOST:PORT TARGET_HOST:PORT[,TARGET_HOST:PORT...]]");
            System.exit(2);
        }
        boolean demo = args.length == 0;
        InetSocketAddress listen = demo ? new InetSocketAddress("127.0.0.1", 15883) : parse(args[0]);
        String[] targets = demo ? new String[] {startEchoServer()} : args[1].split(",");
        LoadBalancer lb = LoadBalancer.builder()
                .backend("servers", b -> {
                    for (int i = 0; i < targets.length; i++) {
                        b.server("s" + (i + 1), parse(targets[i]));
                    }
                })
                .frontend("in", f -> f.listen(listen).backend("servers"))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> lb.shutdown(Duration.ofSeconds(5))));
        InetSocketAddress bound = lb.frontend("in").boundAddresses().get(0);
        System.out.println("forwarding " + bound + " -> " + String.join(",", targets));
        if (demo) {
            try (Socket s = new Socket(bound.getAddress(), bound.getPort())) {
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                out.write("hello through the balancer\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                byte[] back = in.readNBytes("hello through the balancer\n".length());
                System.out.print("echoed: " + new String(back, StandardCharsets.US_ASCII));
            }
            System.out.println("try it: nc " + bound.getHostString() + " " + bound.getPort() + "   (Ctrl-C to stop)");
        }
        new CountDownLatch(1).await();
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            System.err.println("not HOST:PORT: " + hostPort);
            System.exit(2);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** A blocking echo server on a free loopback port; returns "127.0.0.1:PORT". */
    private static String startEchoServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket c = server.accept();
                    Thread echo = new Thread(() -> {
                        try (c) {
                            c.getInputStream().transferTo(c.getOutputStream());
                        } catch (IOException ignored) {
                            // client went away
                        }
                    });
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo-server");
        t.setDaemon(true);
        t.start();
        return "127.0.0.1:" + server.getLocalPort();
    }
}
