package lb.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A WebSocket server for tests, a thread per connection on a loopback port: it reads the
 * upgrade request, answers {@code 101} (or what {@link #answering} scripts) and, in the same
 * write, one binary frame holding its name, then echoes every byte it gets, frames and all, as it got them. It
 * keeps each request head it read.
 */
public final class FakeWebSocketServer implements AutoCloseable {
    private final String name;
    private final ServerSocket listener;
    private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger pipelined = new AtomicInteger();
    private volatile UnaryOperator<String> answer = UnaryOperator.identity();

    private FakeWebSocketServer(String name) throws IOException {
        this.name = name;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fake-ws-" + name);
        t.setDaemon(true);
        t.start();
    }

    public static FakeWebSocketServer start(String name) {
        try {
            return new FakeWebSocketServer(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers with what {@code edit} makes of the right {@code 101} head (without its empty line). */
    public FakeWebSocketServer answering(UnaryOperator<String> edit) {
        answer = edit;
        return this;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    public String name() {
        return name;
    }

    public int accepted() {
        return accepted.get();
    }

    /** Connections that sent more than the request before they had its answer (a client would not). */
    public int pipelined() {
        return pipelined.get();
    }

    /** The request heads read so far, oldest first. */
    public java.util.List<String> requests() {
        return java.util.List.copyOf(requests);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                accepted.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "fake-ws-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            String head = WebSocketBytes.readHead(in);
            requests.add(head);
            Thread.sleep(20); // time for anything sent behind the request to arrive
            if (in.available() > 0) {
                pipelined.incrementAndGet();
            }
            String key = header(head, "sec-websocket-key");
            String protocol = header(head, "sec-websocket-protocol");
            String ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n"
                    + (protocol == null ? "" : "Sec-WebSocket-Protocol: " + protocol.split(",")[0].trim() + "\r\n");
            byte[] tag = name.getBytes(StandardCharsets.US_ASCII);
            java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
            first.writeBytes((answer.apply(ok) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            first.write(0x82);
            first.write(tag.length);
            first.writeBytes(tag);
            out.write(first.toByteArray()); // in one write: the balancer must relay what follows its answer

            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the peer went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
