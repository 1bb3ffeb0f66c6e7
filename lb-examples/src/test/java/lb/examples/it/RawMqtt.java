package lb.examples.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client that writes MQTT 3.1.1 packets by hand, byte for byte, for what no well-behaved
 * client library would send: malformed packets, packets split across writes or packed into one.
 */
final class RawMqtt implements AutoCloseable {
    /** Connect flags: clean session only. */
    static final int CLEAN_SESSION = 0x02;
    /** Connect flags: clean session plus the reserved bit, which [MQTT-3.1.2-3] requires be 0. */
    static final int CLEAN_SESSION_AND_RESERVED_BIT = 0x03;

    private final Socket socket;

    private RawMqtt(Socket socket) {
        this.socket = socket;
    }

    static RawMqtt connectTo(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            socket.connect(address, 5_000);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new RawMqtt(socket);
    }

    /** An MQTT 3.1.1 CONNECT carrying only a client id. */
    static byte[] connect(String clientId, int flags, int keepAliveSeconds) {
        return connect(clientId.getBytes(StandardCharsets.UTF_8), flags, keepAliveSeconds);
    }

    /** An MQTT 3.1.1 CONNECT whose client id is {@code clientId}, as given, well-formed or not. */
    static byte[] connect(byte[] clientId, int flags, int keepAliveSeconds) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4);
        body.write(flags);
        body.write(keepAliveSeconds >> 8);
        body.write(keepAliveSeconds & 0xFF);
        writeBytes(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    /** A QoS 0 PUBLISH. */
    static byte[] publish(String topic, String payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x30, body.toByteArray());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Sends {@code bytes} one write (and so, with no delay, one segment) per byte. */
    void sendBytewise(byte[] bytes, Duration pause) throws IOException, InterruptedException {
        for (byte b : bytes) {
            socket.getOutputStream().write(b);
            socket.getOutputStream().flush();
            Thread.sleep(pause.toMillis());
        }
    }

    /** Reads exactly {@code n} bytes; fails if the connection ends first. */
    byte[] read(int n) throws IOException {
        byte[] out = socket.getInputStream().readNBytes(n);
        if (out.length != n) {
            throw new AssertionError("connection ended after " + out.length + " of " + n + " bytes");
        }
        return out;
    }

    /**
     * Waits up to {@code timeout} for the peer to end the connection, and answers how many bytes
     * came before the end; fails if it is still open then.
     */
    int bytesBeforeClose(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        InputStream in = socket.getInputStream();
        int count = 0;
        try {
            while (in.read() >= 0) {
                count++;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + timeout, e);
        } catch (IOException reset) {
            // A reset is an end too.
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int remaining = body.length;
        do {
            int digit = remaining % 128;
            remaining /= 128;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }
}
