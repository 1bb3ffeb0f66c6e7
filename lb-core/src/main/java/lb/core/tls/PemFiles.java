package lb.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads certificates and private keys from PEM files, as OpenSSL and most tools write them.
 * Stateless; for configuration time, on any thread. Every failure is a {@link KeyFileException}
 * naming the file and the problem.
 */
public final class PemFiles {
    private static final String CERTIFICATE = "CERTIFICATE";

    private PemFiles() {
    }

    /**
     * The X.509 certificates in {@code file}, in file order (for a chain: the leaf first, then
     * each issuer); other blocks, such as a private key kept in the same file, are skipped. At
     * least one certificate must be there.
     */
    public static List<X509Certificate> certificates(Path file) throws KeyFileException {
        String source = file.toString();
        return certificates(blocks(file), source);
    }

    /**
     * The one private key in {@code file}: PKCS#8 ("BEGIN PRIVATE KEY", RSA, EC or EdDSA),
     * PKCS#1 ("BEGIN RSA PRIVATE KEY") or SEC1 ("BEGIN EC PRIVATE KEY"). Certificates and EC
     * parameter blocks in the same file are skipped; encrypted keys are refused.
     */
    public static PrivateKey privateKey(Path file) throws KeyFileException {
        String source = file.toString();
        return privateKey(blocks(file), source);
    }

    static List<Pem.Block> blocks(Path file) throws KeyFileException {
        String source = file.toString();
        String text;
        try {
            // Latin-1 maps every byte to a character, so a stray byte is reported by the PEM reader.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(source, "no such file", e);
        } catch (IOException e) {
            throw new KeyFileException(source, "cannot read: " + e, e);
        }
        List<Pem.Block> blocks = Pem.decode(text, source);
        if (blocks.isEmpty()) {
            throw new KeyFileException(source, "no PEM block (-----BEGIN ...-----) in the file");
        }
        return blocks;
    }

    static List<X509Certificate> certificates(List<Pem.Block> blocks, String source) throws KeyFileException {
        CertificateFactory factory = x509();
        List<X509Certificate> certificates = new ArrayList<>();
        for (Pem.Block block : blocks) {
            if (!block.label().equals(CERTIFICATE)) {
                continue;
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new KeyFileException(source, "certificate " + (certificates.size() + 1) + " is not valid X.509: "
                        + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw new KeyFileException(source, "no certificate (found " + labels(blocks) + ")");
        }
        return List.copyOf(certificates);
    }

    static PrivateKey privateKey(List<Pem.Block> blocks, String source) throws KeyFileException {
        Pem.Block key = null;
        for (Pem.Block block : blocks) {
            if (PrivateKeys.isKey(block.label())) {
                if (key != null) {
                    throw new KeyFileException(source, "more than one private key; keep one per file");
                }
                key = block;
            }
        }
        if (key == null) {
            throw new KeyFileException(source, "no private key (found " + labels(blocks) + ")");
        }
        return PrivateKeys.decode(key, source);
    }

    private static String labels(List<Pem.Block> blocks) {
        List<String> labels = new ArrayList<>();
        for (Pem.Block block : blocks) {
            labels.add(block.label());
        }
        return String.join(", ", labels);
    }

    static CertificateFactory x509() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every JDK has an X.509 certificate factory", e);
        }
    }
}
