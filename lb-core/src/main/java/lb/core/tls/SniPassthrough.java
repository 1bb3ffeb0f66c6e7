package lb.core.tls;

import java.nio.ByteBuffer;

import lb.core.model.KeyExtractor;
import lb.core.model.Verdict;

/**
 * Routes TLS clients by the server name (SNI) of their ClientHello without terminating TLS:
 * the hello and everything after it go on to the servers untouched, for brokers that terminate
 * TLS themselves. The name is the tunnel's key, so a stick table or a key-hash balancer keeps
 * each host name on one server. Anything that is not a well-formed ClientHello is refused
 * with the parser's reason; nothing of it reaches a server. Stateless: one instance serves
 * every loop.
 */
public final class SniPassthrough implements KeyExtractor {
    private final ClientHelloParser parser;
    private final boolean serverNameRequired;

    private SniPassthrough(ClientHelloParser parser, boolean serverNameRequired) {
        this.parser = parser;
        this.serverNameRequired = serverNameRequired;
    }

    /** Keys clients by their server name; a hello without one is routed without a key. */
    public static SniPassthrough routeByServerName() {
        return new SniPassthrough(new ClientHelloParser(), false);
    }

    /** As {@link #routeByServerName()}, but refuses a hello that names no server. */
    public SniPassthrough requireServerName() {
        return new SniPassthrough(parser, true);
    }

    @Override
    public Verdict inspect(ByteBuffer firstBytes) {
        HelloResult r = parser.parse(firstBytes);
        return switch (r.status()) {
            case NEED_MORE -> Verdict.NEED_MORE;
            case NOT_TLS -> Verdict.reject("not TLS: " + r.reason(), null);
            case MALFORMED -> Verdict.reject("malformed ClientHello: " + r.reason(), null);
            case HELLO -> {
                String name = r.hello().serverName();
                if (name != null) {
                    yield Verdict.route(name);
                }
                yield serverNameRequired ? Verdict.reject("the ClientHello names no server (SNI)", null)
                        : Verdict.ROUTE_WITHOUT_KEY;
            }
        };
    }

    @Override
    public String toString() {
        return "SniPassthrough[maxBytes=" + parser.maxBytes() + (serverNameRequired ? " serverNameRequired" : "") + "]";
    }
}
