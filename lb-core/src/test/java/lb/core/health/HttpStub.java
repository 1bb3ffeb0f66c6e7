package lb.core.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A readiness endpoint for tests, on a raw socket so it can also answer what no HTTP server
 * would: each connection's request head is read, then the scripted reply is written and the
 * connection closed; or, stalled, nothing is answered until the stub closes. One thread,
 * connections served in turn, every read bounded by a timeout.
 */
final class HttpStub implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private volatile byte[] reply;
    private volatile boolean stalled;
    private volatile String lastRequest = "";

    private HttpStub(byte[] reply) throws IOException {
        this.reply = reply;
        this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "http-stub");
        thread.setDaemon(true);
        thread.start();
    }

    /** Answers every request with {@code reply}, written as given. */
    static HttpStub replying(String reply) throws IOException {
        return new HttpStub(reply.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Answers with {@code status} and {@code body}, with a Content-Length. */
    static HttpStub status(int status, String body) throws IOException {
        return replying(response(status, body));
    }

    /** Reads requests and never answers. */
    static HttpStub stalled() throws IOException {
        HttpStub s = new HttpStub(new byte[0]);
        s.stalled = true;
        return s;
    }

    static String response(int status, String body) {
        return "HTTP/1.1 " + status + " Whatever\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    void answer(int status, String body) {
        reply = response(status, body).getBytes(StandardCharsets.ISO_8859_1);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    int port() {
        return socket.getLocalPort();
    }

    int requests() {
        return requests.get();
    }

    String lastRequest() {
        return lastRequest;
    }

    private void serve() {
        while (!socket.isClosed()) {
            try {
                Socket c = socket.accept();
                c.setSoTimeout(5_000);
                lastRequest = readHead(c.getInputStream());
                requests.incrementAndGet();
                if (stalled) {
                    held.add(c);
                    continue;
                }
                try (c) {
                    c.getOutputStream().write(reply);
                    c.getOutputStream().flush();
                }
            } catch (IOException e) {
                // closed, or a probe gave up: serve the next one
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 8192) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            String s = head.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws Exception {
        socket.close();
        for (Socket s : held) {
            s.close();
        }
        thread.join(5_000);
    }
}
