package lb.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import lb.core.model.PacketFraming;
import lb.core.model.Termination;

/**
 * Where MQTT packets end, for one client version, and the DISCONNECTs the balancer sends when it
 * ends a tunnel itself. Immutable and thread-safe; the inspector makes one per version.
 *
 * <pre>
 * fixed header of every packet (3.1.1 §2.2, 5.0 §2.1.1)
 * +--------+-----------------------------------------------------------+
 * | byte 1 | 7-4 packet type (0 reserved; 15 AUTH in 5.0, reserved     |
 * |        | before), 3-0 flags                                        |
 * | 1..4   | remaining length: variable byte integer, 7 bits a byte,   |
 * |        | low bits first, top bit set on all but the last           |
 * +--------+-----------------------------------------------------------+
 * then exactly "remaining length" bytes, up to 268,435,455
 *
 * DISCONNECT (3.1.1 §3.14: E0 00; 5.0 §3.14: E0, remaining length, reason code, properties)
 *   to the broker, in the client's name   E0 00           normal disconnection: no will
 *                                          E0 02 04 00     5.0, the will asked for (0x04)
 *   to a 5.0 client                        E0 02 8B 00     server shutting down
 *                                          E0 n 9C p 1C .. use another server [+ Server Reference]
 * </pre>
 *
 * <p>The state of a direction is one {@code int}:
 * <pre>
 *   0                        between packets (the next byte is a type byte)
 *   1 .. 268,435,455         inside a packet's body: the bytes left in it (below 2^28)
 *   HEADER | n &lt;&lt; 28 | v     inside a fixed header (HEADER = 2^30): the type byte and n (0..3)
 *                            length bytes read, v (below 2^21) their value so far
 *   negative                 the bytes stopped framing: -1 a reserved packet type, -2 a length
 *                            over four bytes
 * </pre>
 * A remaining length in a longer form than needed frames unambiguously and is left to the broker.
 */
final class MqttFraming implements PacketFraming {
    private static final int HEADER = 1 << 30;
    private static final int VALUE_BITS = 0x0FFF_FFFF;
    private static final int RESERVED_TYPE = -1;
    private static final int LENGTH_TOO_LONG = -2;
    private static final int AUTH = 15;

    private static final byte DISCONNECT = (byte) 0xE0;
    private static final int DISCONNECT_WITH_WILL = 0x04;
    /** 5.0 §3.14.2.1 Table 3-10. */
    static final int SERVER_SHUTTING_DOWN = 0x8B;
    static final int USE_ANOTHER_SERVER = 0x9C;
    private static final int SERVER_REFERENCE = 0x1C;

    private final boolean v5;
    private final ByteBuffer toServer;
    private final ByteBuffer shuttingDown;
    private final ByteBuffer useAnotherServer;

    /**
     * Framing for a client of {@code version}. With {@code willOnEnd} the broker is not told the
     * client left normally, so it publishes the client's will; {@code serverReference} (or null)
     * goes with "use another server" to 5.0 clients.
     */
    MqttFraming(MqttVersion version, boolean willOnEnd, String serverReference) {
        this.v5 = version == MqttVersion.V5;
        if (!willOnEnd) {
            toServer = constant(DISCONNECT, 0x00);
        } else {
            toServer = v5 ? constant(DISCONNECT, 0x02, DISCONNECT_WITH_WILL, 0x00) : null;
        }
        shuttingDown = v5 ? constant(DISCONNECT, 0x02, SERVER_SHUTTING_DOWN, 0x00) : null;
        useAnotherServer = v5 ? useAnotherServer(serverReference) : null;
    }

    @Override
    public int advance(int state, ByteBuffer bytes) {
        int s = state;
        int i = bytes.position();
        int end = bytes.limit();
        while (i < end && s >= 0) {
            if (s == BOUNDARY) {
                int type = (bytes.get(i++) & 0xFF) >>> 4;
                s = type == 0 || (type == AUTH && !v5) ? RESERVED_TYPE : HEADER;
            } else if ((s & HEADER) != 0) {
                int read = (s >>> 28) & 0x3;
                int b = bytes.get(i++) & 0xFF;
                int value = (s & VALUE_BITS) | (b & 0x7F) << (7 * read);
                if ((b & 0x80) == 0) {
                    s = value; // 0: a packet of header only (PINGREQ, say) ended here
                } else {
                    s = read + 1 == VariableByteInteger.MAX_BYTES ? LENGTH_TOO_LONG : HEADER | (read + 1) << 28 | value;
                }
            } else {
                int available = end - i;
                if (s <= available) {
                    i += s;
                    s = BOUNDARY;
                } else {
                    return s - available;
                }
            }
        }
        return s;
    }

    @Override
    public int bytesToBoundary(int state) {
        return (state & HEADER) != 0 ? 1 : state;
    }

    @Override
    public String malformation(int state) {
        if (state == RESERVED_TYPE) {
            return v5 ? "packet type 0 is reserved (MQTT 5.0 §2.1.2)" : "packet type 0 or 15 is reserved (MQTT 3.1.1 §2.2.1)";
        }
        return "remaining length longer than four bytes (MQTT 3.1.1 §2.2.3, 5.0 §1.5.5)";
    }

    @Override
    public ByteBuffer farewellToServer(Termination why) {
        return toServer == null ? null : toServer.duplicate();
    }

    @Override
    public ByteBuffer farewellToClient(Termination why) {
        if (!v5) {
            return null; // 3.1.1 has no DISCONNECT from the server: the client sees the connection end
        }
        return (why == Termination.SHUTDOWN ? shuttingDown : useAnotherServer).duplicate();
    }

    /** MQTT has no half-open connection: once the broker closes, the client has no one to talk to. */
    @Override
    public boolean serverEndEndsTunnel() {
        return true;
    }

    /** The 5.0 reason code the client is told for {@code why}; for tests and documentation. */
    static int reasonCode(Termination why) {
        return why == Termination.SHUTDOWN ? SERVER_SHUTTING_DOWN : USE_ANOTHER_SERVER;
    }

    private static ByteBuffer useAnotherServer(String serverReference) {
        if (serverReference == null) {
            return constant(DISCONNECT, 0x02, USE_ANOTHER_SERVER, 0x00);
        }
        byte[] reference = serverReference.getBytes(StandardCharsets.UTF_8);
        if (reference.length > 0xFFFF) {
            throw new IllegalArgumentException("server reference over 65,535 bytes of UTF-8");
        }
        int properties = 1 + 2 + reference.length;
        int remaining = 1 + lengthOf(properties) + properties;
        ByteBuffer b = ByteBuffer.allocate(1 + lengthOf(remaining) + remaining);
        b.put(DISCONNECT);
        write(b, remaining);
        b.put((byte) USE_ANOTHER_SERVER);
        write(b, properties);
        b.put((byte) SERVER_REFERENCE).putShort((short) reference.length).put(reference);
        return b.flip().asReadOnlyBuffer();
    }

    /** Bytes a variable byte integer takes for {@code value}. */
    private static int lengthOf(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    private static void write(ByteBuffer b, int value) {
        int v = value;
        do {
            int digit = v & 0x7F;
            v >>>= 7;
            b.put((byte) (v > 0 ? digit | 0x80 : digit));
        } while (v > 0);
    }

    private static ByteBuffer constant(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return ByteBuffer.wrap(b).asReadOnlyBuffer();
    }

    private static ByteBuffer constant(byte first, int... rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return constant(all);
    }
}
