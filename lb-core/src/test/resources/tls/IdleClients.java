import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Opens COUNT connections to HOST:PORT, with TLS when a CA file is given (each handshake done),
 * prints "ready", and holds them idle until its standard input ends. Run as a source file in a
 * process of its own, so the measuring JVM holds none of the clients' state.
 *
 * usage: java IdleClients.java HOST PORT COUNT [CA_PEM]
 */
public class IdleClients {
    public static void main(String[] args) throws Exception {
        InetSocketAddress at = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        SSLContext tls = args.length > 3 ? trusting(args[3]) : null;
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (tls != null) {
                SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(at.getAddress(), at.getPort());
                s.startHandshake();
                open.add(s);
            } else {
                open.add(new Socket(at.getAddress(), at.getPort()));
            }
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the parent closes our input
        }
        for (Socket s : open) {
            s.close();
        }
    }

    private static SSLContext trusting(String caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (FileInputStream in = new FileInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
