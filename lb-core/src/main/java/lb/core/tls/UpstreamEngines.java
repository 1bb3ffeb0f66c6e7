package lb.core.tls;

import java.security.GeneralSecurityException;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Makes client-side SSLEngines for connections to servers, for one {@link UpstreamTlsSettings}:
 * the SSLContext is built once, here. Immutable after construction; {@link #newEngine} may be
 * called from any loop at once.
 */
public final class UpstreamEngines {
    private final UpstreamTlsSettings settings;
    private final SSLContext context;
    private final EngineLists lists;

    public UpstreamEngines(UpstreamTlsSettings settings) {
        this.settings = settings;
        KeyManager[] keys = settings.clientKey() == null ? null
                : new KeyManager[] {new CertificateSelector(List.of(settings.clientKey()), settings.clientKey())};
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(keys, TrustAnchors.of(settings.trustedCas()), null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
        this.lists = new EngineLists(context, true, settings.protocols(), settings.cipherSuites());
    }

    /**
     * A client-mode engine for a connection to {@code host}: it sends {@code host} as SNI unless
     * it is an IP literal (RFC 6066 section 3 forbids those), and, when host names are verified,
     * fails the handshake unless the server's certificate names {@code host}.
     */
    public SSLEngine newEngine(String host, int port) {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters p = context.getDefaultSSLParameters();
        lists.applyTo(p); // client mode already set: a null list keeps the client's shared defaults
        p.setApplicationProtocols(settings.applicationProtocols().toArray(String[]::new));
        p.setServerNames(isIpLiteral(host) ? List.of() : List.of(new SNIHostName(host)));
        if (settings.verifyHostName()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(p);
        return engine;
    }

    public UpstreamTlsSettings settings() {
        return settings;
    }

    /** Dotted IPv4 or any IPv6 literal: what the JDK itself leaves out of SNI. */
    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return false;
            }
        }
        return true;
    }
}
