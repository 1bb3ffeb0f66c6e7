package lb.examples.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking MQTT client that writes raw packets, for gateway tests. Test thread only. */
final class WireClient implements AutoCloseable {
    final Socket socket;

    WireClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.connect(address, 5_000);
    }

    /** Sends a CONNECT ({@code level} 4 = 3.1.1, 5 = 5.0) and returns the CONNACK's return or reason code. */
    int connect(String clientId, int level) throws IOException {
        return connect(clientId, level, 0);
    }

    /** As {@link #connect(String, int)}, with {@code padding} bytes of password to make the packet larger. */
    int connect(String clientId, int level, int padding) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT".getBytes(StandardCharsets.US_ASCII));
        body.write(level);
        body.write(padding > 0 ? 0xC2 : 0x02); // clean session (+ user name and password when padded)
        body.write(0);
        body.write(60);
        if (level == 5) {
            body.write(0); // no properties
        }
        string(body, clientId.getBytes(StandardCharsets.UTF_8));
        if (padding > 0) {
            string(body, "u".getBytes(StandardCharsets.US_ASCII));
            string(body, new byte[padding]);
        }
        send(0x10, body.toByteArray());
        InputStream in = socket.getInputStream();
        int type = in.read();
        if (type != 0x20) {
            return -1; // closed or not a CONNACK
        }
        int length = in.read();
        byte[] rest = in.readNBytes(length);
        return rest.length >= 2 ? rest[1] & 0xFF : -1;
    }

    /** True when a PINGREQ gets its PINGRESP: the tunnel is alive end to end. */
    boolean ping() {
        try {
            socket.getOutputStream().write(new byte[] {(byte) 0xC0, 0});
            InputStream in = socket.getInputStream();
            return in.read() == 0xD0 && in.read() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void send(int first, byte[] body) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(first);
        int n = body.length;
        do {
            int b = n % 128;
            n /= 128;
            p.write(n > 0 ? b | 0x80 : b);
        } while (n > 0);
        p.write(body);
        socket.getOutputStream().write(p.toByteArray());
    }

    private static void string(ByteArrayOutputStream out, byte[] s) {
        out.write(s.length >> 8);
        out.write(s.length & 0xFF);
        out.writeBytes(s);
    }

    /** A loopback port free a moment ago (the test binds it soon after). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
