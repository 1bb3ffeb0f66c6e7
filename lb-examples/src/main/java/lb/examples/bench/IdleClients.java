package lb.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import lb.examples.broker.MqttEncoder;
import lb.examples.broker.PacketWriter;
import lb.examples.loadgen.TrustingEveryone;

/**
 * A process that holds idle MQTT connections, so the benchmark can read what each one costs a
 * proxy. Each connection sends CONNECT (keep-alive off, so nothing more is ever sent) and waits
 * for its CONNACK. Commands on stdin, one per line, until it closes:
 *
 * <pre>
 * open N     open N more connections; answers "open LIVE FAILED" once all have settled,
 *            with TLS "open LIVE FAILED PROTOCOL CIPHER_SUITE" (of the last connection)
 * </pre>
 *
 * Connections are opened in batches: a batch connects, then sends its CONNECTs, then reads its
 * CONNACKs, which keeps a proxy's accept backlog busy without overflowing it.
 *
 * <p>With a fourth argument the connections speak MQTT over TLS: each one completes its
 * handshake before sending CONNECT. {@code TRUST} is a PEM file of CA certificates to verify the
 * server against (its certificate must also name the address connected to), or {@code insecure}
 * to accept any certificate. Every connection gets a TLS context of its own, so none resumes an
 * earlier one's session: each is a full handshake, as for clients on separate devices.
 *
 * <pre>
 * IdleClients HOST:PORT SOURCE_ADDRESS CLIENT_ID_PREFIX [TRUST]
 * </pre>
 */
public final class IdleClients {
    private static final int BATCH = 100;
    private static final int TIMEOUT_MS = 10_000;
    private static final long OPEN_DEADLINE_NS = TimeUnit.MINUTES.toNanos(5);
    /** Failures whose reason goes to stderr; the rest are only counted. */
    private static final int LOGGED_FAILURES = 5;
    private static final byte[] CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};

    private final InetSocketAddress target;
    private final InetAddress source;
    private final String clientIdPrefix;
    /** Null for plain TCP; else what each TLS connection trusts. */
    private final TrustManager[] trust;
    /** Whether the server's certificate must name the address connected to (with a CA file). */
    private final boolean checkHostName;
    private final List<Socket> live = new ArrayList<>();
    private int failed;

    private IdleClients(InetSocketAddress target, InetAddress source, String clientIdPrefix, TrustManager[] trust,
            boolean checkHostName) {
        this.target = target;
        this.source = source;
        this.clientIdPrefix = clientIdPrefix;
        this.trust = trust;
        this.checkHostName = checkHostName;
    }

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: IdleClients HOST:PORT SOURCE_ADDRESS CLIENT_ID_PREFIX [CA_PEM_FILE|insecure]");
            System.exit(2);
        }
        int colon = args[0].lastIndexOf(':');
        TrustManager[] trust = null;
        if (args.length == 4) {
            trust = args[3].equals("insecure") ? new TrustManager[] {new TrustingEveryone()} : trusting(Path.of(args[3]));
        }
        IdleClients clients = new IdleClients(
                new InetSocketAddress(InetAddress.getByName(args[0].substring(0, colon)), Integer.parseInt(args[0].substring(colon + 1))),
                InetAddress.getByName(args[1]), args[2], trust, args.length == 4 && !args[3].equals("insecure"));
        String command;
        while ((command = StandardInput.next()) != null) {
            if (command.startsWith("open ")) {
                clients.open(Integer.parseInt(command.substring("open ".length()).trim()));
                System.out.println("open " + clients.live.size() + " " + clients.failed + clients.tlsDescription());
                System.out.flush();
            }
        }
        clients.closeAll();
    }

    /** Trust managers for the certificates in a PEM file (the CA, or a self-signed server certificate). */
    private static TrustManager[] trusting(Path caFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + caFile);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int n = 0;
        for (Certificate c : certificates) {
            store.setCertificateEntry("ca-" + (n++), c);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /** " PROTOCOL CIPHER_SUITE" of the newest live TLS connection, or nothing. */
    private String tlsDescription() {
        if (trust == null || live.isEmpty()) {
            return "";
        }
        SSLSession session = ((SSLSocket) live.get(live.size() - 1)).getSession();
        return " " + session.getProtocol() + " " + session.getCipherSuite();
    }

    private void open(int count) {
        long deadline = System.nanoTime() + OPEN_DEADLINE_NS;
        int done = 0;
        while (done < count && System.nanoTime() - deadline < 0) {
            int batch = Math.min(BATCH, count - done);
            List<Socket> connecting = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                Socket s = connect(live.size() + failed + connecting.size());
                if (s != null) {
                    connecting.add(s);
                }
            }
            for (Socket s : connecting) {
                if (awaitConnack(s)) {
                    live.add(s);
                } else {
                    failed++;
                    closeQuietly(s);
                }
            }
            done += batch;
        }
    }

    /** Connects (with TLS: and completes the handshake) and sends CONNECT; null (counted as failed) if any of it goes wrong. */
    private Socket connect(int index) {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(target, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            if (trust != null) {
                s = handshake(s);
            }
            PacketWriter w = new PacketWriter();
            MqttEncoder.connect(w, MqttEncoder.LEVEL_3_1_1, (clientIdPrefix + index).getBytes(StandardCharsets.UTF_8), 0, true);
            s.getOutputStream().write(w.toByteArray());
            return s;
        } catch (IOException e) {
            if (failed++ < LOGGED_FAILURES) {
                System.err.println("connection " + index + " failed: " + e);
            }
            closeQuietly(s);
            return null;
        }
    }

    /** Layers TLS over the connected socket {@code s} and completes the handshake; closes {@code s} on failure. */
    private SSLSocket handshake(Socket s) throws IOException {
        try {
            // A context of its own: no session cached by an earlier connection to resume.
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(s, target.getAddress().getHostAddress(),
                    target.getPort(), true);
            if (checkHostName) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
            }
            tls.startHandshake();
            return tls;
        } catch (GeneralSecurityException e) {
            closeQuietly(s);
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static boolean awaitConnack(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(CONNACK_ACCEPTED.length);
            return Arrays.equals(reply, CONNACK_ACCEPTED);
        } catch (IOException e) {
            return false;
        }
    }

    private void closeAll() {
        for (Socket s : live) {
            closeQuietly(s);
        }
        live.clear();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is best effort; the process is about to end anyway.
        }
    }
}
