package lb.core.tls;

import java.security.GeneralSecurityException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Makes server-side SSLEngines for one {@link TlsSettings}: the SSLContext (with its session cache)
 * is built once, here, and each accepted connection gets a fresh engine from it. Immutable after
 * construction; {@link #newEngine} may be called from any loop at once.
 */
public final class ServerEngines {
    static final int SESSION_CACHE_SIZE = 20_000;
    static final int SESSION_LIFETIME_SECONDS = 300;

    private final TlsSettings settings;
    private final SSLContext context;
    private final CertificateSelector certificates;
    /** Never changed after construction: engines copy it in setSSLParameters. */
    private final SSLParameters parameters;

    public ServerEngines(TlsSettings settings) {
        this.settings = settings;
        this.certificates = new CertificateSelector(settings.keys(), settings.defaultKey());
        TrustManager[] trust = settings.clientAuth() == ClientAuth.NONE ? null : TrustAnchors.of(settings.clientCas());
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {certificates}, trust, null);
            // Bounded like HAProxy's defaults (tune.ssl.cachesize, tune.ssl.lifetime): resumption
            // for clients reconnecting within minutes, at most this many sessions held.
            context.getServerSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
            context.getServerSessionContext().setSessionTimeout(SESSION_LIFETIME_SECONDS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
        SSLParameters p = context.getDefaultSSLParameters();
        new EngineLists(context, false, settings.protocols(), settings.cipherSuites()).applyTo(p);
        p.setUseCipherSuitesOrder(true);
        p.setApplicationProtocols(settings.applicationProtocols().toArray(String[]::new));
        switch (settings.clientAuth()) {
            case NONE -> p.setWantClientAuth(false);
            case OPTIONAL -> p.setWantClientAuth(true);
            case REQUIRED -> p.setNeedClientAuth(true);
        }
        this.parameters = p;
    }

    /** A server-mode engine for one accepted connection, handshake not begun. */
    public SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        configure(engine);
        return engine;
    }

    /** As {@link #newEngine()}, with the client's address as a hint for session resumption and logs. */
    public SSLEngine newEngine(String peerHost, int peerPort) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        configure(engine);
        return engine;
    }

    /** Server mode first: the lists left null are then the server's shared defaults. */
    private void configure(SSLEngine engine) {
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters);
    }

    public TlsSettings settings() {
        return settings;
    }

    /** The key manager in use, to ask which certificate a name would get. */
    public CertificateSelector certificates() {
        return certificates;
    }
}
