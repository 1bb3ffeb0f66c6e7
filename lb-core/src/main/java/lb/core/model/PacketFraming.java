package lb.core.model;

import java.nio.ByteBuffer;

/**
 * Where a protocol's packets end in a tunnel's byte stream, so the balancer can end a tunnel
 * between two packets and put a packet of its own there (for MQTT, a DISCONNECT each way).
 * A {@link KeyExtractor} hands one to each tunnel it routes ({@link KeyExtractor#framing}); core
 * knows nothing of the protocol beyond these calls.
 *
 * <p>Stateless and thread-safe: one instance serves every tunnel on every loop. The state of one
 * direction is an {@code int} the engine keeps for it (no buffer, no object): {@link #BOUNDARY}
 * between packets, a positive value inside one (the implementation's encoding), a negative value
 * once the bytes stopped framing. The engine starts each direction at {@link #BOUNDARY} and
 * passes every byte through {@link #advance} before it forwards it, so calls must not allocate.
 */
public interface PacketFraming {
    /** The state between two packets: the next byte starts a packet. */
    int BOUNDARY = 0;

    /**
     * The state after the bytes from {@code bytes.position()} to its limit, given {@code state}
     * before them. Reads by absolute index and leaves the buffer as it was. A negative answer
     * means the bytes do not frame (it names why, see {@link #malformation}); a negative
     * {@code state} is returned as it is.
     */
    int advance(int state, ByteBuffer bytes);

    /**
     * How many bytes may be read in {@code state} (neither {@link #BOUNDARY} nor negative)
     * without passing the end of the current packet: at least 1 (while a header is incomplete,
     * its length is not known yet).
     */
    int bytesToBoundary(int state);

    /** Why the bytes stopped framing, for a negative state; the tunnel event's detail. */
    String malformation(int state);

    /**
     * The packet sent to the server in the client's name when the balancer ends the tunnel
     * itself for {@code why} ({@code SHUTDOWN}, {@code SERVER_REMOVED}, {@code SERVER_DOWN} or
     * {@code REBALANCED}), between two of the client's packets; null to send nothing. Callers
     * get a buffer of their own to write (a duplicate of a shared one is fine).
     */
    ByteBuffer farewellToServer(Termination why);

    /**
     * The packet sent to the client, between two of the server's packets, when the balancer
     * ends the tunnel itself for {@code why}; null to send nothing (the client sees the
     * connection end after the server's last whole packet).
     */
    ByteBuffer farewellToClient(Termination why);

    /**
     * Whether a server that stopped sending has ended the conversation, as an MQTT broker's
     * close does. Then the engine closes the client as soon as the server's last bytes reached
     * it, instead of waiting up to the half-close timeout for the client to close its side (a
     * client that never closes its socket would hold the tunnel that long). False, the default,
     * keeps TCP's half-close.
     */
    default boolean serverEndEndsTunnel() {
        return false;
    }
}
