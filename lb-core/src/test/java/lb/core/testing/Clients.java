package lb.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small blocking-socket helpers for tests that play the client. */
public final class Clients {
    private Clients() {
    }

    public static Socket connect(InetSocketAddress address) {
        try {
            Socket s = new Socket();
            // set before connecting: a peer that resets at once would fail a setter after it
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            s.connect(address, 5_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + address, e);
        }
    }

    /** Connects from {@code local} (another loopback address, say 127.0.0.2, to play another client host). */
    public static Socket connectFrom(String local, InetSocketAddress address) {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(local, 0));
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            s.connect(address, 5_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("connect " + address + " from " + local, e);
        }
    }

    /**
     * Connects to {@code listener} until its accept queue is full, so that the kernel drops the
     * next SYN (resent about a second later): the first connect that takes half a second found
     * it so. The caller closes the sockets returned.
     */
    public static List<Socket> fillAcceptQueue(ServerSocketChannel listener) throws IOException {
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            fillers.add(filler);
            try {
                filler.connect(listener.getLocalAddress(), 500);
            } catch (SocketTimeoutException e) {
                return fillers;
            }
        }
        throw new AssertionError("the accept queue never filled");
    }

    /** Reads exactly {@code n} bytes, or throws on EOF. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads one '\n'-terminated ASCII line (without the '\n'). */
    public static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            sb.append((char) c);
        }
        if (c < 0 && sb.length() == 0) {
            throw new IOException("EOF before a line");
        }
        return sb.toString();
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
