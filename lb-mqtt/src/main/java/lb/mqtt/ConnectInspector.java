package lb.mqtt;

import java.nio.ByteBuffer;

import lb.core.KeyExtractor;
import lb.core.Verdict;

/**
 * Routes each client by the client identifier of its CONNECT: the frontend's
 * {@link KeyExtractor} for MQTT. Immutable and thread-safe; the {@code with...} methods return
 * changed copies.
 *
 * <ul>
 *   <li>incomplete CONNECT: {@link Verdict#NEED_MORE} (the frontend's inspect delay and byte cap
 *       bound the wait);</li>
 *   <li>valid CONNECT: route by its client identifier; an empty one routes without a key, so
 *       the balancer picks;</li>
 *   <li>invalid CONNECT (or too large): reject, so no byte reaches a broker. With CONNACK replies
 *       on (off by default), the client first gets the refusal its version defines for the rule
 *       broken, if it defines one (see {@link Violation}).</li>
 * </ul>
 *
 * <p>With replies on it also answers a client no server can take with CONNACK "server
 * unavailable" (3.1.1 code 3, 5.0 code 0x88), so clients back off by protocol rather than
 * reconnecting at once.
 */
public final class ConnectInspector implements KeyExtractor {
    private final MqttConnectParser parser;
    private final boolean connackReplies;

    ConnectInspector(MqttConnectParser parser, boolean connackReplies) {
        this.parser = parser;
        this.connackReplies = connackReplies;
    }

    /** A copy that does (or does not) send a refusing CONNACK before closing. */
    public ConnectInspector withConnackReplies(boolean enabled) {
        return new ConnectInspector(parser, enabled);
    }

    /**
     * A copy refusing CONNECTs over {@code bytes}, fixed header included. Keep the frontend's
     * {@code inspectMaxBytes} at least this large, or the frontend closes the client first,
     * without a reply.
     */
    public ConnectInspector withMaxPacketSize(int bytes) {
        return new ConnectInspector(new MqttConnectParser(bytes), connackReplies);
    }

    public boolean connackReplies() {
        return connackReplies;
    }

    public int maxPacketSize() {
        return parser.maxPacketSize();
    }

    @Override
    public Verdict inspect(ByteBuffer firstBytes) {
        ParseResult result = parser.parse(firstBytes);
        return switch (result.status()) {
            case NEED_MORE -> Verdict.NEED_MORE;
            case VALID -> Verdict.route(result.connect().clientId());
            case INVALID -> Verdict.reject(result.reason(), connackReplies ? Connack.refusal(result) : null);
        };
    }

    @Override
    public ByteBuffer noServerReply(ByteBuffer firstBytes) {
        return connackReplies ? Connack.serverUnavailable(MqttConnectParser.peekVersion(firstBytes)) : null;
    }

    @Override
    public String toString() {
        return "ConnectInspector[maxPacketSize=" + parser.maxPacketSize() + " connackReplies=" + connackReplies + "]";
    }
}
