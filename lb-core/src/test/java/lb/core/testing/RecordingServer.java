package lb.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server that keeps every byte each connection sent it, lets a test write to each, and closes
 * a connection once its peer has ended its side (as an MQTT broker does after a DISCONNECT). A
 * thread per connection: for a few dozen tunnels in tests, not for load.
 */
public final class RecordingServer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final byte[] greeting;

    /** One accepted connection: what it received so far, whether its peer ended, a way to write. */
    public static final class Connection {
        private final Socket socket;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final long acceptedAtNanos = System.nanoTime();
        private volatile boolean ended;

        Connection(Socket socket) {
            this.socket = socket;
        }

        /** When the server accepted it ({@link System#nanoTime()}). */
        public long acceptedAtNanos() {
            return acceptedAtNanos;
        }

        public synchronized byte[] received() {
            return received.toByteArray();
        }

        private synchronized void add(byte[] b, int n) {
            received.write(b, 0, n);
        }

        /** True once the peer ended its side (and this side closed in turn). */
        public boolean ended() {
            return ended;
        }

        public void send(byte[] bytes) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        }

        public void awaitReceived(int count, Duration timeout) {
            Await.until(count + " bytes at the server", timeout, () -> received().length >= count);
        }
    }

    private RecordingServer(byte[] greeting) throws IOException {
        this.greeting = greeting;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptAll, "recording-server");
        t.setDaemon(true);
        t.start();
    }

    /** Starts a server that sends {@code greeting} (may be empty) to each connection first. */
    public static RecordingServer start(byte[] greeting) {
        try {
            return new RecordingServer(greeting);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Connections accepted so far, in order. */
    public List<Connection> connections() {
        return connections;
    }

    /** The {@code index}th connection, once accepted. */
    public Connection connection(int index, Duration timeout) {
        Await.until("connection " + index + " at the server", timeout, () -> connections.size() > index);
        return connections.get(index);
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            Connection c = new Connection(s);
            connections.add(c);
            Thread t = new Thread(() -> serve(c), "recording-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Connection c) {
        try (Socket s = c.socket) {
            if (greeting.length > 0) {
                c.send(greeting);
            }
            InputStream in = s.getInputStream();
            byte[] b = new byte[8192];
            int n;
            while ((n = in.read(b)) >= 0) {
                c.add(b, n);
            }
        } catch (IOException e) {
            // reset or closed by the test: the connection is over either way
        } finally {
            c.ended = true;
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
            for (Connection c : connections) {
                c.socket.close();
            }
        } catch (IOException e) {
            // closing
        }
    }
}
