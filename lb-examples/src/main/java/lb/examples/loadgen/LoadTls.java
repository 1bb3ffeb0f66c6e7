package lb.examples.loadgen;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How the load generator's clients speak TLS to the target. Immutable; checked by
 * {@link LoadConfig.Builder#build}, and its files read when a run starts.
 *
 * <p>Trust is explicit: the server's certificate must chain to {@code caFile}, unless
 * {@code insecure} says to accept any certificate (for tests against a throwaway server only).
 * Host names are checked against {@code serverName} when given, else against the target's
 * address, which the certificate must then name (an IP SAN).
 *
 * @param caFile     PEM file of the CAs the server's certificate must chain to; null only when insecure
 * @param insecure   accept any server certificate, unchecked
 * @param serverName host name sent as SNI and checked in the certificate; null for none
 * @param certFile   client certificate chain (PEM) for servers that ask for one; null for none
 * @param keyFile    its private key (PEM, unencrypted); given exactly when {@code certFile} is
 * @param resume     offer each client the session of its earlier connection again (TLS 1.3 PSK
 *                   tickets; a session cache per client id, for the life of the process);
 *                   false: every handshake is a full one
 * @param protocols  protocol versions offered, in the JDK's names ({@code TLSv1.3} by default)
 */
public record LoadTls(Path caFile, boolean insecure, String serverName, Path certFile, Path keyFile, boolean resume,
                      List<String> protocols) {
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3");
    private static final List<String> KNOWN_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public LoadTls {
        protocols = List.copyOf(protocols);
    }

    /** Full handshakes, TLS 1.3, trusting the CAs in {@code caFile}. */
    public static LoadTls trusting(Path caFile) {
        return new LoadTls(Objects.requireNonNull(caFile, "caFile"), false, null, null, null, false, DEFAULT_PROTOCOLS);
    }

    /** Any server certificate accepted unchecked: for tests against a throwaway server only. */
    public static LoadTls trustingAnyCertificate() {
        return new LoadTls(null, true, null, null, null, false, DEFAULT_PROTOCOLS);
    }

    /** Defaults with no trust chosen yet, which {@link LoadConfig.Builder#build} refuses: where the command line starts. */
    static LoadTls untrusted() {
        return new LoadTls(null, false, null, null, null, false, DEFAULT_PROTOCOLS);
    }

    public LoadTls withCaFile(Path file) {
        return new LoadTls(file, insecure, serverName, certFile, keyFile, resume, protocols);
    }

    public LoadTls withAnyCertificateTrusted() {
        return new LoadTls(caFile, true, serverName, certFile, keyFile, resume, protocols);
    }

    public LoadTls withServerName(String name) {
        return new LoadTls(caFile, insecure, name, certFile, keyFile, resume, protocols);
    }

    public LoadTls withClientCertificate(Path chain, Path key) {
        return new LoadTls(caFile, insecure, serverName, chain, key, resume, protocols);
    }

    public LoadTls withResumption(boolean on) {
        return new LoadTls(caFile, insecure, serverName, certFile, keyFile, on, protocols);
    }

    public LoadTls withProtocols(List<String> names) {
        return new LoadTls(caFile, insecure, serverName, certFile, keyFile, resume, names);
    }

    /** The first rule broken, as {@code field: rule}, or null when all hold. */
    String problem() {
        if (caFile == null && !insecure) {
            return "tls-ca: needed with --tls: the PEM file of the CA that signed the server's certificate "
                    + "(or --tls-insecure to accept any certificate, for tests only)";
        }
        if (caFile != null && insecure) {
            return "tls-insecure: a CA file is given, so certificates are checked: drop one of --tls-ca and --tls-insecure";
        }
        if ((certFile == null) != (keyFile == null)) {
            return "tls-cert: a client certificate needs both --tls-cert and --tls-key";
        }
        if (serverName != null && !serverName.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
            return "tls-sni: '" + serverName + "' is not a DNS host name";
        }
        if (protocols.isEmpty() || !KNOWN_PROTOCOLS.containsAll(protocols)) {
            return "tls-protocols: must be TLSv1.3, TLSv1.2 or both";
        }
        return null;
    }
}
