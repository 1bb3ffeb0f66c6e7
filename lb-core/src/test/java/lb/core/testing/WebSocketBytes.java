package lb.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A WebSocket client's bytes for tests (RFC 6455): upgrade requests, masked frames, and
 * reading what a server sends back (an HTTP head, unmasked frames).
 */
public final class WebSocketBytes {
    /** The RFC's example key (section 1.3) and the accept it calls for. */
    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    public static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private WebSocketBytes() {
    }

    /** A valid upgrade request for {@code path}, offering {@code protocols}, then {@code extraLines} (each without CRLF). */
    public static byte[] upgrade(String path, String protocols, String... extraLines) {
        StringBuilder s = new StringBuilder("GET " + path + " HTTP/1.1\r\n"
                + "Host: broker.example.com\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: " + protocols + "\r\n");
        for (String line : extraLines) {
            s.append(line).append("\r\n");
        }
        return s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A client frame: {@code opcode}, FIN as given, masked with {@code mask} (4 bytes) or unmasked if null. */
    public static byte[] frame(int opcode, boolean fin, byte[] payload, byte[] mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int maskBit = mask == null ? 0 : 0x80;
        int n = payload.length;
        if (n < 126) {
            out.write(maskBit | n);
        } else if (n <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        if (mask != null) {
            out.write(mask, 0, 4);
        }
        for (int i = 0; i < n; i++) {
            out.write(mask == null ? payload[i] : payload[i] ^ mask[i & 3]);
        }
        return out.toByteArray();
    }

    /** One final binary frame holding {@code payload}, masked with a random key. */
    public static byte[] binary(byte[] payload, Random random) {
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        return frame(0x2, true, payload, mask);
    }

    /** {@code payload} as a binary message cut into fragments at {@code cuts} (ascending offsets), each masked. */
    public static byte[] fragmented(byte[] payload, int[] cuts, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : payload.length;
            byte[] part = java.util.Arrays.copyOfRange(payload, from, to);
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            out.writeBytes(frame(i == 0 ? 0x2 : 0x0, i == cuts.length, part, mask));
            from = to;
        }
        return out.toByteArray();
    }

    /** Reads an HTTP head (up to and without its empty line) as text. */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        while (!s.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("ended within an HTTP head: " + s);
            }
            s.append((char) b);
        }
        return s.substring(0, s.length() - 4);
    }

    /** A frame a server sent: its opcode and payload (server frames are unmasked). */
    public record Frame(int opcode, byte[] payload) {
        /** A close frame's code. */
        public int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    /** Reads one frame, unmasking it if it is masked. */
    public static Frame readFrame(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int b0 = data.readUnsignedByte();
        int b1 = data.readUnsignedByte();
        long n = b1 & 0x7F;
        if (n == 126) {
            n = data.readUnsignedShort();
        } else if (n == 127) {
            n = data.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            data.readFully(mask);
        }
        byte[] payload = new byte[(int) n];
        data.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0F, payload);
    }
}
