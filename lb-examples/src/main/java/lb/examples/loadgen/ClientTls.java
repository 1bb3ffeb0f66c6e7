package lb.examples.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import lb.core.tls.CertifiedKey;
import lb.core.tls.KeyFileException;
import lb.core.tls.PemFiles;

/**
 * The clients' side of TLS for one target and one {@link LoadTls}: the SSLContext, and a fresh
 * client engine per connection attempt. Thread-safe: loops ask for engines at once.
 *
 * <p>One per process ({@link #forProcess}), so that runs in the same process share session
 * caches. The JDK's client session cache lives in an SSLContext and files a session (in TLS 1.3,
 * each ticket the server sends) under the engine's peer host and port, for the next engine made
 * for the same pair. One context for all clients would hold one session for the target, which
 * concurrent connections race for: on JDK 17, 19 of 500 handshakes resumed at 100 in flight. So
 * with resumption each client id gets a context of its own, made on its first connection and
 * kept for the life of the process, as each device keeps its own session. Without resumption
 * all clients share one context whose engines are made with port -1, under which the JDK neither
 * files nor looks up sessions: every handshake is a full one, while the host name is still there
 * to check the certificate against.
 */
final class ClientTls {
    private static final Map<Key, ClientTls> PER_PROCESS = new HashMap<>();

    private final LoadTls settings;
    private final KeyManager[] keyManagers;
    private final TrustManager[] trustManagers;
    private final SSLContext context;
    /** With resumption: each client id's own context, and so its own session cache. */
    private final ConcurrentHashMap<String, SSLContext> perClient = new ConcurrentHashMap<>();
    private final String peerHost;
    private final int peerPort;
    private final int bufferSize;

    private record Key(LoadTls settings, InetSocketAddress target) {
    }

    private ClientTls(LoadTls settings, InetSocketAddress target) throws IOException {
        this.settings = settings;
        try {
            this.keyManagers = keyManagers(settings);
            this.trustManagers = trustManagers(settings);
            this.context = newContext();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        this.peerHost = settings.serverName() != null ? settings.serverName() : target.getAddress().getHostAddress();
        this.peerPort = settings.resume() ? target.getPort() : -1;
        // Before its handshake an engine's session reports the largest sizes TLS may need.
        SSLEngine probe = context.createSSLEngine();
        this.bufferSize = Math.max(probe.getSession().getPacketBufferSize(), probe.getSession().getApplicationBufferSize());
    }

    /** The one for these settings and target in this process, made on first use (files read then). */
    static synchronized ClientTls forProcess(LoadTls settings, InetSocketAddress target) throws IOException {
        Key key = new Key(settings, target);
        ClientTls tls = PER_PROCESS.get(key);
        if (tls == null) {
            tls = new ClientTls(settings, target);
            PER_PROCESS.put(key, tls);
        }
        return tls;
    }

    /**
     * A client engine for {@code clientId}, its handshake not begun: SNI, host name check and
     * protocols set; with resumption, it offers that client's last session.
     */
    SSLEngine newEngine(String clientId) {
        SSLEngine engine = settings.resume() ? perClient.computeIfAbsent(clientId, id -> newContextUnchecked())
                .createSSLEngine(peerHost, peerPort) : context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(settings.protocols().toArray(String[]::new));
        if (settings.serverName() != null) {
            p.setServerNames(List.of(new SNIHostName(settings.serverName())));
        }
        if (!settings.insecure()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** Bytes a buffer needs to hold any record or any record's plaintext. */
    int bufferSize() {
        return bufferSize;
    }

    private SSLContext newContext() throws GeneralSecurityException {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(keyManagers, trustManagers, null);
        return c;
    }

    private SSLContext newContextUnchecked() {
        try {
            return newContext();
        } catch (GeneralSecurityException e) {
            // The same call succeeded for the shared context at start.
            throw new IllegalStateException("cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(LoadTls settings) throws IOException, GeneralSecurityException {
        if (settings.insecure()) {
            return new TrustManager[] {new TrustingEveryone()};
        }
        List<X509Certificate> cas = certificates(settings.caFile(), "--tls-ca");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManager[] keyManagers(LoadTls settings) throws IOException, GeneralSecurityException {
        if (settings.certFile() == null) {
            return null;
        }
        CertifiedKey key;
        try {
            key = CertifiedKey.fromPem(settings.certFile(), settings.keyFile());
        } catch (KeyFileException e) {
            throw new IOException("--tls-cert/--tls-key: " + e.getMessage(), e);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", key.key(), new char[0], key.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        return factory.getKeyManagers();
    }

    private static List<X509Certificate> certificates(Path file, String flag) throws IOException {
        try {
            return PemFiles.certificates(file);
        } catch (KeyFileException e) {
            throw new IOException(flag + ": " + e.getMessage(), e);
        }
    }
}
