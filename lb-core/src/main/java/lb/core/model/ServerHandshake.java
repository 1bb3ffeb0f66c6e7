package lb.core.model;

import java.nio.ByteBuffer;

/**
 * Checks a server's answer to the bytes the balancer forwarded in the client's name, when the
 * client was already answered by the balancer itself (a WebSocket broker's {@code 101}, after the
 * balancer sent the client its own). The engine sends the server the first
 * {@link #requestLength} forwarded bytes, holds the rest (and reads nothing more from the client)
 * until the answer, reads the server's first bytes into a buffer bounded by the frontend's
 * inspect cap, asks {@link #check} after each read, drops the answer, then sends what it held
 * and relays what the server sent after its answer. One instance per tunnel
 * ({@link Verdict#withServerHandshake}), called only on that tunnel's loop.
 */
public interface ServerHandshake {
    /**
     * How many of the forwarded bytes are the request the server answers; the rest wait for its
     * answer, as a client of the protocol would wait (a WebSocket server may not expect frames
     * pipelined behind the upgrade request).
     */
    int requestLength();

    /** {@link #check}'s answer while the server's answer is incomplete. */
    int NEED_MORE = 0;

    /**
     * Looks at everything the server sent so far, from {@code serverBytes.position()} to its
     * limit, without changing the buffer: the length of the server's whole answer (positive),
     * {@link #NEED_MORE}, or a negative number when it is not the answer expected (then
     * {@link #failure} says why).
     */
    int check(ByteBuffer serverBytes);

    /** Why the server's answer was refused, after {@link #check} answered a negative number. */
    String failure();

    /**
     * Bytes for the client when the server's answer was refused (a WebSocket close frame, the
     * client being past its handshake); null to just close.
     */
    ByteBuffer failureReply();
}
