package lb.core.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * What the balancer says as a WebSocket server (RFC 6455 sections 4.2.2, 5.2 and 5.5.1): the
 * {@code 101} answer, HTTP refusals before it, and after it unmasked binary and close frames.
 * Stateless.
 */
final class Handshake {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private Handshake() {
    }

    /** {@code Sec-WebSocket-Accept} for a client's key: base64 of SHA-1 of the key and the RFC's GUID. */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    /** The {@code 101 Switching Protocols} answer choosing {@code subprotocol}, with no extension. */
    static ByteBuffer switching(String key, String subprotocol) {
        return ascii("HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n"
                + "Sec-WebSocket-Protocol: " + subprotocol + "\r\n\r\n");
    }

    /** An HTTP refusal of the upgrade, saying why in a line of text; {@code extraHeader} may be null. */
    static ByteBuffer refusal(int status, String why, String extraHeader) {
        String body = why + "\n";
        return ascii("HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n"
                + "Connection: close\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + (extraHeader == null ? "" : extraHeader + "\r\n")
                + "\r\n" + body);
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 426 -> "Upgrade Required";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    /** A server's binary frame (unmasked, final) holding {@code payload}. */
    static ByteBuffer binary(ByteBuffer payload) {
        int n = payload.remaining();
        ByteBuffer frame = ByteBuffer.allocate(n + (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10));
        frame.put((byte) 0x82);
        if (n < 126) {
            frame.put((byte) n);
        } else if (n <= 0xFFFF) {
            frame.put((byte) 126).putShort((short) n);
        } else {
            frame.put((byte) 127).putLong(n);
        }
        return frame.put(payload.duplicate()).flip();
    }

    /** A server's close frame with {@code code} and a short reason (cut to fit a control frame). */
    static ByteBuffer close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(text.length, 123);
        return ByteBuffer.allocate(4 + n).put((byte) 0x88).put((byte) (2 + n)).putShort((short) code)
                .put(text, 0, n).flip();
    }

    /** {@code first} then {@code second}, in one buffer. */
    static ByteBuffer concat(ByteBuffer first, ByteBuffer second) {
        return ByteBuffer.allocate(first.remaining() + second.remaining()).put(first.duplicate())
                .put(second.duplicate()).flip();
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    }
}
