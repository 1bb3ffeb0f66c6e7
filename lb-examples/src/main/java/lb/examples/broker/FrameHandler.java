package lb.examples.broker;

import java.nio.ByteBuffer;

/** Receives each complete MQTT packet a {@link FrameReader} finds. */
@FunctionalInterface
public interface FrameHandler {
    /**
     * Handles one packet whose body (after the fixed header) is {@code buf[bodyStart, bodyEnd)}.
     * The buffer is reused after the call returns, so keep copies, not views.
     *
     * @return false to stop reading further packets (the connection is closing)
     */
    boolean onFrame(int firstByte, ByteBuffer buf, int bodyStart, int bodyEnd);
}
