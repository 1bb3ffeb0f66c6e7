package lb.examples.broker;

/**
 * A packet body ended early or broke the protocol. Thrown without a stack trace: a malformed
 * packet is an expected input, answered by closing the connection, never a bug to trace.
 */
public final class MalformedPacketException extends RuntimeException {
    static final MalformedPacketException INSTANCE = new MalformedPacketException();

    private MalformedPacketException() {
        super("malformed MQTT packet", null, false, false);
    }
}
