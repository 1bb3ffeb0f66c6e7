package lb.core;

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
     * {@link Verdict#NEED_MORE}, {@link Verdict#route(String)} or {@link Verdict#reject}.
     */
    Verdict inspect(ByteBuffer firstBytes);

    /**
     * Bytes to send the client before closing it when no server can take it (for MQTT, a
     * CONNACK "server unavailable"); null to just close. {@code firstBytes} is what was
     * inspected.
     */
    default ByteBuffer noServerReply(ByteBuffer firstBytes) {
        return null;
    }
}
