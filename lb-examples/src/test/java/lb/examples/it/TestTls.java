package lb.examples.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import lb.core.tls.CertifiedKey;
import lb.core.tls.KeyFileException;
import lb.core.tls.PemFiles;

/**
 * The lb-core test certificates (its {@code src/test/resources/tls}, shared through its test
 * jar, README there), as files, {@link CertifiedKey}s and JDK client contexts. Public for the
 * gateway's tests in their own package.
 */
public final class TestTls {
    private TestTls() {
    }

    /** The resource {@code /tls/name} copied to a temporary file (deleted on exit). */
    public static Path file(String name) throws IOException {
        try (InputStream in = TestTls.class.getResourceAsStream("/tls/" + name)) {
            if (in == null) {
                throw new IOException("no test resource tls/" + name);
            }
            Path file = Files.createTempFile("tls-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }

    static CertifiedKey key(String chain, String key) throws IOException {
        try {
            return CertifiedKey.fromPem(file(chain), file(key));
        } catch (KeyFileException e) {
            throw new IOException(e);
        }
    }

    /** RSA; broker.example.com, mqtt.example.com; chain with the CA. */
    static CertifiedKey broker() throws IOException {
        return key("broker-chain.pem", "broker-key-pkcs8.pem");
    }

    /** EC P-256; *.devices.example.com. */
    static CertifiedKey devices() throws IOException {
        return key("devices-cert.pem", "devices-key-pkcs8.pem");
    }

    /** EC P-384; fallback.example.com. */
    static CertifiedKey fallback() throws IOException {
        return key("fallback-cert.pem", "fallback-key-sec1.pem");
    }

    /** EC P-256 client, CN device-17, signed by the CA. */
    public static CertifiedKey client() throws IOException {
        return key("client-cert.pem", "client-key-pkcs8.pem");
    }

    /** EC P-256, self-signed client certificate. */
    static CertifiedKey rogue() throws IOException {
        return key("rogue-cert.pem", "rogue-key-pkcs8.pem");
    }

    /** The test CA. */
    static List<X509Certificate> ca() throws IOException {
        try {
            return PemFiles.certificates(file("ca-cert.pem"));
        } catch (KeyFileException e) {
            throw new IOException(e);
        }
    }

    /** A client context trusting the test CA, presenting {@code clientKey} if not null. */
    public static SSLContext clientContext(CertifiedKey clientKey) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca().get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientKey != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(clientKey), new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** A server context presenting {@code key} (a broker's own TLS, for passthrough). */
    static SSLContext serverContext(CertifiedKey key) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(key), new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static KeyStore keyStore(CertifiedKey key) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("key", key.key(), new char[0], key.chain().toArray(new X509Certificate[0]));
        return keys;
    }

    /** Names {@code serverName} in the ClientHello (SNI) of {@code socket}, not yet handshaken. */
    static SSLSocket withServerName(SSLSocket socket, String serverName) {
        SSLParameters p = socket.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(serverName)));
        socket.setSSLParameters(p);
        return socket;
    }

    /** The CN of a certificate's subject. */
    static String commonName(X509Certificate c) {
        return c.getSubjectX500Principal().getName().replaceAll(".*CN=([^,]+).*", "$1");
    }
}
