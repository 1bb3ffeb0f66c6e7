package lb.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import lb.core.LoadBalancer;
import lb.core.model.Verdict;
import lb.mqtt.Mqtt;

/**
 * A fixed amount of engine work in one process, for timing the whole process from outside
 * (e.g. {@code /usr/bin/time -v}) against another build of the library on the same class path
 * shape: two engine versions compare by the CPU each spends on the same work.
 *
 * <pre>
 * TunnelWork forward MIB   one tunnel of a one-loop balancer carries MIB mebibytes into a sink
 * TunnelWork churn N       N short tunnels, each inspected (a keyed first line), answered, closed
 * TunnelWork forward-mqtt MIB [unframed]
 *                          as forward, but the bytes are an MQTT CONNECT and 1 KiB PUBLISHes
 *                          through the CONNECT inspector, which frames them (or, unframed, not)
 * </pre>
 *
 * Clients and servers are plain blocking sockets on loopback in the same process.
 */
public final class TunnelWork {
    private TunnelWork() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("forward") || args[0].equals("churn") || args[0].equals("forward-mqtt"))) {
            System.err.println("usage: TunnelWork forward MIB | churn N | forward-mqtt MIB [unframed]");
            System.exit(2);
        }
        long amount = Long.parseLong(args[1]);
        if (args[0].equals("forward-mqtt")) {
            forwardMqtt(amount << 20, !(args.length > 2 && args[2].equals("unframed")));
        } else if (args[0].equals("forward")) {
            forward(amount << 20);
        } else {
            churn((int) amount);
        }
    }

    private static void forward(long bytes) throws Exception {
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread drain = serve(sink, s -> {
                byte[] b = new byte[1 << 16];
                InputStream in = s.getInputStream();
                while (in.read(b) >= 0) {
                    // discard
                }
            }, false);
            try (LoadBalancer lb = balancer(sink, false); Socket c = new Socket()) {
                c.connect(lb.frontend("f").boundAddresses().get(0));
                OutputStream out = c.getOutputStream();
                byte[] chunk = new byte[1 << 16];
                for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk);
                }
                c.shutdownOutput();
                drain.join();
            }
        }
    }

    private static void forwardMqtt(long bytes, boolean framed) throws Exception {
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread drain = serve(sink, s -> {
                byte[] b = new byte[1 << 16];
                InputStream in = s.getInputStream();
                while (in.read(b) >= 0) {
                    // discard
                }
            }, false);
            LoadBalancer lb = LoadBalancer.builder().eventLoops(1)
                    .backend("b", be -> be.server("s", (InetSocketAddress) sink.getLocalSocketAddress()))
                    .frontend("f", f -> f.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).backend("b")
                            .keyExtractor(Mqtt.connectInspector().withPacketFraming(framed)))
                    .build().start();
            try (lb; Socket c = new Socket()) {
                c.connect(lb.frontend("f").boundAddresses().get(0));
                OutputStream out = c.getOutputStream();
                out.write(new byte[] {0x10, 0x11, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 5, 'b', 'e', 'n', 'c', 'h'});
                // 64 PUBLISHes a chunk, 1,029 bytes each: 30, remaining length 1,026 (82 08), topic 00 01 't', payload
                byte[] chunk = new byte[64 * 1029];
                for (int p = 0; p < 64; p++) {
                    int at = p * 1029;
                    chunk[at] = 0x30;
                    chunk[at + 1] = (byte) 0x82;
                    chunk[at + 2] = 0x08;
                    chunk[at + 3] = 0;
                    chunk[at + 4] = 1;
                    chunk[at + 5] = 't';
                }
                for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk);
                }
                c.shutdownOutput();
                drain.join();
            }
        }
    }

    private static void churn(int tunnels) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress())) {
            serve(server, s -> {
                InputStream in = s.getInputStream();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    // the first line
                }
                s.getOutputStream().write('k');
            }, true);
            try (LoadBalancer lb = balancer(server, true)) {
                InetSocketAddress a = lb.frontend("f").boundAddresses().get(0);
                byte[] line = "client-with-a-plausible-id-0123456789\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < tunnels; i++) {
                    try (Socket c = new Socket(a.getAddress(), a.getPort())) {
                        c.getOutputStream().write(line);
                        if (c.getInputStream().read() != 'k') {
                            throw new IllegalStateException("tunnel " + i + " got no answer");
                        }
                    }
                }
            }
        }
    }

    private static LoadBalancer balancer(ServerSocket server, boolean inspect) {
        return LoadBalancer.builder().eventLoops(1)
                .backend("b", be -> be.server("s", (InetSocketAddress) server.getLocalSocketAddress()))
                .frontend("f", f -> {
                    f.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).backend("b");
                    if (inspect) {
                        f.keyExtractor(TunnelWork::firstLine);
                    }
                })
                .build().start();
    }

    private static Verdict firstLine(ByteBuffer bytes) {
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            if (bytes.get(i) == '\n') {
                return Verdict.route("key-" + (i - bytes.position()));
            }
        }
        return Verdict.NEED_MORE;
    }

    private interface Connection {
        void handle(Socket s) throws IOException;
    }

    /** Accepts one connection (or, with {@code many}, each in turn until the socket closes). */
    private static Thread serve(ServerSocket listener, Connection work, boolean many) {
        Thread t = new Thread(() -> {
            do {
                try (Socket s = listener.accept()) {
                    work.handle(s);
                } catch (IOException e) {
                    if (listener.isClosed()) {
                        return;
                    }
                    throw new UncheckedIOException(e);
                }
            } while (many);
        }, "tunnel-work-server");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
