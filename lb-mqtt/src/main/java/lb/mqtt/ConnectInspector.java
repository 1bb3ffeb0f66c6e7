package lb.mqtt;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Duration;

import lb.core.model.ClientFacts;
import lb.core.model.KeyExtractor;
import lb.core.model.PacketFraming;
import lb.core.model.Termination;
import lb.core.model.Verdict;

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
 * unavailable" (3.1.1 code 3, 5.0 code 0x88), or "server busy" (5.0 code 0x89) when every
 * server is full or the memory budget is spent, "connection rate exceeded" (5.0 code 0x9F)
 * when its client id or its source reconnects too fast, and "quota exceeded" (5.0 code 0x97)
 * when its source has as many connections as allowed (3.1.1 has only code 3 for all of these),
 * so clients back off by protocol rather than reconnecting at once.
 *
 * <p>A routed client's user name, if its CONNECT has one, goes with the route for the
 * frontend's priority rules ({@code PriorityRule.userMatching}).
 *
 * <p>With a keep-alive timeout set, each tunnel's client timeout is the keep-alive the client
 * announced times a factor (1.5 is the common rule: a client pings at least once per
 * keep-alive), but never below a minimum; a client announcing no keep-alive gets the
 * frontend's timeout.
 *
 * <p>Behind a frontend that terminates TLS with client certificates, {@link
 * #withClientIdFromCertificate()} refuses a CONNECT whose client id is not the identity its
 * certificate names, so a device cannot take over another's session (or its stickiness).
 *
 * <p>It frames each routed client's packets ({@link #framing}, on by default): the balancer then
 * ends a tunnel it ends itself (shutdown, server removal, rebalancing) between packets, telling
 * the broker the client left normally (DISCONNECT, so no will is published) and a 5.0 client to
 * go elsewhere (DISCONNECT 0x8B "server shutting down" or 0x9C "use another server"); a 3.1.1
 * client sees its connection end after the broker's last whole packet. Bytes after the CONNECT
 * that are no MQTT packet close the tunnel ({@code FRAMING_INVALID}).
 */
public final class ConnectInspector implements KeyExtractor {
    private final MqttConnectParser parser;
    private final boolean connackReplies;
    private final double keepAliveFactor;
    private final Duration keepAliveMinimum;
    private final boolean clientIdFromCertificate;
    /** How clients of 3.1/3.1.1 and of 5.0 frame and are told goodbye; both null when framing is off. */
    private final Ending ending;

    /** The framing settings: on or off, the will, the server reference; and the framings made of them. */
    private record Ending(boolean willOnEnd, String serverReference, MqttFraming v3, MqttFraming v5) {
        static Ending of(boolean willOnEnd, String serverReference) {
            return new Ending(willOnEnd, serverReference, new MqttFraming(MqttVersion.V3_1_1, willOnEnd, serverReference),
                    new MqttFraming(MqttVersion.V5, willOnEnd, serverReference));
        }
    }

    ConnectInspector(MqttConnectParser parser, boolean connackReplies) {
        this(parser, connackReplies, 0, Duration.ZERO, false, Ending.of(false, null));
    }

    private ConnectInspector(MqttConnectParser parser, boolean connackReplies, double keepAliveFactor,
                             Duration keepAliveMinimum, boolean clientIdFromCertificate, Ending ending) {
        this.parser = parser;
        this.connackReplies = connackReplies;
        this.keepAliveFactor = keepAliveFactor;
        this.keepAliveMinimum = keepAliveMinimum;
        this.clientIdFromCertificate = clientIdFromCertificate;
        this.ending = ending;
    }

    /** A copy that does (or does not) send a refusing CONNACK before closing. */
    public ConnectInspector withConnackReplies(boolean enabled) {
        return new ConnectInspector(parser, enabled, keepAliveFactor, keepAliveMinimum, clientIdFromCertificate, ending);
    }

    /**
     * A copy that sets each tunnel's client timeout to {@code factor} x the CONNECT's
     * keep-alive, at least {@code minimum}. A factor of 0 turns it off.
     */
    public ConnectInspector withKeepAliveTimeout(double factor, Duration minimum) {
        if (factor != 0 && factor < 1) {
            throw new IllegalArgumentException("keep-alive factor must be 0 (off) or >= 1, was " + factor);
        }
        return new ConnectInspector(parser, connackReplies, factor, java.util.Objects.requireNonNull(minimum, "minimum"),
                clientIdFromCertificate, ending);
    }

    /**
     * A copy refusing CONNECTs over {@code bytes}, fixed header included. Keep the frontend's
     * {@code inspectMaxBytes} at least this large, or the frontend closes the client first,
     * without a reply.
     */
    public ConnectInspector withMaxPacketSize(int bytes) {
        return new ConnectInspector(new MqttConnectParser(bytes), connackReplies, keepAliveFactor, keepAliveMinimum,
                clientIdFromCertificate, ending);
    }

    /**
     * A copy that, on a TLS frontend, routes a CONNECT only if its client id is the common name
     * or one of the DNS names of the client's verified certificate; otherwise (a different id,
     * or no certificate) it is refused, with CONNACK "not authorized" when replies are on. On a
     * plain frontend the rule does nothing: there is no certificate to hold the id to.
     */
    public ConnectInspector withClientIdFromCertificate() {
        return new ConnectInspector(parser, connackReplies, keepAliveFactor, keepAliveMinimum, true, ending);
    }

    /**
     * A copy that frames clients' packets (the default) or forwards them unexamined: then the
     * balancer can only cut a tunnel it ends, and the broker publishes the client's will.
     */
    public ConnectInspector withPacketFraming(boolean enabled) {
        Ending next = !enabled ? null : ending != null ? ending : Ending.of(false, null);
        return new ConnectInspector(parser, connackReplies, keepAliveFactor, keepAliveMinimum, clientIdFromCertificate, next);
    }

    /**
     * A copy that, when the balancer ends a tunnel itself, lets the broker publish the client's
     * will: no DISCONNECT for a 3.1.1 client (the broker sees the connection end), DISCONNECT
     * 0x04 "with will message" for a 5.0 one. By default the will is suppressed: the client is
     * not gone, it reconnects elsewhere at once. Turns framing on.
     */
    public ConnectInspector withWillOnBalancerEnd(boolean publish) {
        String reference = ending == null ? null : ending.serverReference();
        return new ConnectInspector(parser, connackReplies, keepAliveFactor, keepAliveMinimum, clientIdFromCertificate,
                Ending.of(publish, reference));
    }

    /**
     * A copy that names {@code reference} (host, or host:port, as MQTT 5.0 §4.11 describes) as
     * the Server Reference of the "use another server" DISCONNECT sent to 5.0 clients when a
     * server is removed or the load is rebalanced; null for none (the default). Turns framing on.
     */
    public ConnectInspector withServerReference(String reference) {
        boolean will = ending != null && ending.willOnEnd();
        return new ConnectInspector(parser, connackReplies, keepAliveFactor, keepAliveMinimum, clientIdFromCertificate,
                Ending.of(will, reference));
    }

    /** True if routed clients' packets are framed (so tunnels end cleanly). */
    public boolean packetFraming() {
        return ending != null;
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
            case VALID -> route(result.connect(), firstBytes);
            case INVALID -> Verdict.reject(result.reason(), connackReplies ? Connack.refusal(result) : null);
        };
    }

    @Override
    public Verdict inspect(ByteBuffer firstBytes, ClientFacts client) {
        Verdict verdict = inspect(firstBytes);
        if (!clientIdFromCertificate || client.tls() == null || verdict.kind() != Verdict.Kind.ROUTE) {
            return verdict;
        }
        X509Certificate certificate = client.tls().clientCertificate();
        String id = verdict.key() == null ? "" : verdict.key();
        if (certificate != null && CertificateNames.of(certificate).contains(id)) {
            return verdict;
        }
        return Verdict.reject(certificate == null ? "client id '" + id + "' but no client certificate"
                : "client id '" + id + "' is not the certificate's (" + CertificateNames.of(certificate) + ")",
                connackReplies ? Connack.notAuthorized(MqttConnectParser.peekVersion(firstBytes)) : null);
    }

    private Verdict route(Connect connect, ByteBuffer packet) {
        Verdict route = Verdict.route(connect.clientId());
        if (connect.hasUsername()) {
            route = route.withUser(connect.text(Field.USERNAME, packet)); // for the frontend's priority rules
        }
        int keepAlive = connect.keepAliveSeconds();
        if (keepAliveFactor == 0 || keepAlive == 0) {
            return route;
        }
        Duration timeout = Duration.ofMillis((long) (keepAlive * 1000 * keepAliveFactor));
        return route.withClientTimeout(timeout.compareTo(keepAliveMinimum) < 0 ? keepAliveMinimum : timeout);
    }

    /** The framing of the client's version (5.0, or 3.1/3.1.1, which frame alike), or null when off. */
    @Override
    public PacketFraming framing(ByteBuffer firstBytes) {
        if (ending == null) {
            return null;
        }
        return MqttConnectParser.peekVersion(firstBytes) == MqttVersion.V5 ? ending.v5() : ending.v3();
    }

    @Override
    public ByteBuffer refusalReply(ByteBuffer firstBytes, Termination why) {
        if (!connackReplies) {
            return null;
        }
        MqttVersion version = MqttConnectParser.peekVersion(firstBytes);
        return switch (why) {
            case QUEUE_FULL, QUEUE_TIMEOUT, MEMORY_EXHAUSTED -> Connack.serverBusy(version);
            case KEY_RATE_LIMITED, SOURCE_RATE_LIMITED -> Connack.connectionRateExceeded(version);
            case SOURCE_LIMITED -> Connack.quotaExceeded(version);
            default -> Connack.serverUnavailable(version);
        };
    }

    @Override
    public String toString() {
        return "ConnectInspector[maxPacketSize=" + parser.maxPacketSize() + " connackReplies=" + connackReplies
                + " framing=" + (ending == null ? "off" : ending.willOnEnd() ? "on, will on balancer end" : "on") + "]";
    }
}
