package lb.core.model;

import java.nio.ByteBuffer;

/**
 * Reads a client's first bytes and decides where the tunnel goes: the one way protocol
 * awareness (MQTT's CONNECT, say) enters the core. One instance serves every loop at once, so
 * implementations must be stateless or thread-safe.
 *
 * <p>The frontend bounds inspection by its {@code inspectDelay} and {@code inspectMaxBytes}; the
 * bytes inspected are not consumed but replayed to the chosen server first.
 */
public interface KeyExtractor {
    /**
     * Inspects everything the client has sent so far, from {@code firstBytes.position()} to its
     * limit. Must not change the buffer's position or contents. Answers
     * {@link Verdict#NEED_MORE}, {@link Verdict#route(String)} or {@link Verdict#reject}, perhaps
     * with a greeting for the client, bytes to forward in their place and a check of the server's
     * answer to them (how a WebSocket upgrade is answered: {@code lb.core.websocket}).
     */
    Verdict inspect(ByteBuffer firstBytes);

    /**
     * As {@link #inspect(ByteBuffer)}, knowing who the client is: its address and, behind a
     * TLS frontend, its handshake (server name, ALPN, verified client certificate), for an
     * extractor that routes or refuses by them. The engine calls this one; by default it
     * ignores {@code client}.
     */
    default Verdict inspect(ByteBuffer firstBytes, ClientFacts client) {
        return inspect(firstBytes);
    }

    /**
     * Bytes to send the client before closing it when the tunnel cannot be served (for MQTT, a
     * CONNACK "server unavailable" or "server busy"); null to just close. {@code why} is one of
     * {@code NO_SERVER}, {@code QUEUE_FULL}, {@code QUEUE_TIMEOUT}, {@code MEMORY_EXHAUSTED},
     * {@code KEY_RATE_LIMITED}, {@code SOURCE_LIMITED}, {@code SOURCE_RATE_LIMITED},
     * {@code CONNECT_FAILED} or {@code CONNECT_TIMEOUT}; {@code firstBytes} is what was inspected
     * (for {@code MEMORY_EXHAUSTED}, perhaps only a first part of the packet; for the source
     * limits, which refuse before inspection, whatever the client sent so far, perhaps nothing
     * yet: an answer that needs more may return null, and is asked again as more arrives).
     */
    default ByteBuffer refusalReply(ByteBuffer firstBytes, Termination why) {
        return null;
    }

    /**
     * How this client's packets frame, for a tunnel just routed by {@link #inspect}: the engine
     * then tracks packet boundaries both ways, ends the tunnel between packets when it ends it
     * itself (shutdown, server removal, rebalancing), and closes it ({@code FRAMING_INVALID}) if
     * either side's bytes stop framing. {@code firstBytes} are the bytes inspected, which the
     * framing starts with. Null (the default) forwards bytes unexamined.
     */
    default PacketFraming framing(ByteBuffer firstBytes) {
        return null;
    }
}
