package lb.core.websocket;

import java.nio.ByteBuffer;

/**
 * Reads a client's first WebSocket frames (RFC 6455 section 5.2) and unmasks the payload of
 * its data frames, in order, into a scratch array: the bytes the protocol inside (an MQTT
 * CONNECT) was sent as, however the client split them across frames. The frames themselves are
 * left as they were. Stateless; one result per call.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |    (16 if len is 126, 64 if   |
 * |N|V|V|V|       |S|             |     len is 127, big-endian)   |
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |  Masking key (4 bytes; every client frame is masked)          |
 * +---------------------------------------------------------------+
 * |  Payload: byte i is sent XOR masking key[i % 4]               |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Data frames are binary (opcode 2) and their continuations (0); no extension was negotiated,
 * so RSV bits are 0. Control frames (ping 9, pong 10) may come between fragments and carry no
 * data here (the server answers them once it has the bytes); a close frame (8) means the client
 * is leaving. Text frames (1) are not MQTT's (MQTT 5.0 section 6.0): 1003.
 */
final class ClientFrames {
    /** Close codes (RFC 6455 section 7.4.1). */
    static final int PROTOCOL_ERROR = 1002;
    static final int UNSUPPORTED_DATA = 1003;
    static final int POLICY_VIOLATION = 1008;
    static final int MESSAGE_TOO_BIG = 1009;

    enum Status { DATA, INVALID, CLOSED }

    /**
     * What the frames held: {@code length} unmasked data bytes in {@code data}
     * ({@link Status#DATA}, perhaps more to come), or why they were refused.
     */
    record Result(Status status, byte[] data, int length, int closeCode, String problem) {
    }

    private ClientFrames() {
    }

    /**
     * Reads the frames from {@code bytes.position()} to its limit (the last perhaps incomplete)
     * and unmasks their data; a data frame announcing more than {@code maxData} bytes in all
     * is refused (1009).
     */
    static Result read(ByteBuffer bytes, int maxData) {
        byte[] data = new byte[Math.min(bytes.remaining(), maxData)];
        int length = 0;
        int at = bytes.position();
        int end = bytes.limit();
        boolean inMessage = false;
        while (at < end) {
            if (end - at < 2) {
                break;
            }
            int b0 = bytes.get(at) & 0xFF;
            int b1 = bytes.get(at + 1) & 0xFF;
            int opcode = b0 & 0x0F;
            boolean fin = (b0 & 0x80) != 0;
            if ((b0 & 0x70) != 0) {
                return invalid(PROTOCOL_ERROR, "reserved bits set with no extension negotiated");
            }
            if ((b1 & 0x80) == 0) {
                return invalid(PROTOCOL_ERROR, "unmasked client frame");
            }
            int lengthCode = b1 & 0x7F;
            int headerLength = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + 4;
            if (end - at < headerLength - 4 && lengthCode >= 126) {
                break;
            }
            long payload = lengthCode < 126 ? lengthCode
                    : lengthCode == 126 ? (bytes.getShort(at + 2) & 0xFFFF) : bytes.getLong(at + 2);
            boolean control = opcode >= 8;
            switch (opcode) {
                case 0 -> {
                    if (!inMessage) {
                        return invalid(PROTOCOL_ERROR, "continuation frame with no message begun");
                    }
                }
                case 1 -> {
                    return invalid(UNSUPPORTED_DATA, "text frame: only binary frames are accepted");
                }
                case 2 -> {
                    if (inMessage) {
                        return invalid(PROTOCOL_ERROR, "new message inside a fragmented one");
                    }
                }
                case 8 -> {
                    return new Result(Status.CLOSED, data, length, 0, "the client closed the WebSocket");
                }
                case 9, 10 -> {
                    if (!fin || payload > 125) {
                        return invalid(PROTOCOL_ERROR, "fragmented or long control frame");
                    }
                }
                default -> {
                    return invalid(PROTOCOL_ERROR, "reserved opcode " + opcode);
                }
            }
            if (payload < 0 || (!control && payload > maxData - length)) {
                return invalid(MESSAGE_TOO_BIG, "first message longer than " + maxData + " bytes");
            }
            if (end - at < headerLength) {
                break;
            }
            int maskAt = at + headerLength - 4;
            int from = at + headerLength;
            int available = (int) Math.min(payload, end - from);
            if (!control) {
                for (int i = 0; i < available; i++) {
                    data[length++] = (byte) (bytes.get(from + i) ^ bytes.get(maskAt + (i & 3)));
                }
                inMessage = !fin;
            }
            at = from + available;
            if (available < payload) {
                break;
            }
        }
        return new Result(Status.DATA, data, length, 0, null);
    }

    private static Result invalid(int closeCode, String problem) {
        return new Result(Status.INVALID, null, 0, closeCode, problem);
    }
}
