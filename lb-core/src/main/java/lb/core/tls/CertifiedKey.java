package lb.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A certificate chain and the private key of its first certificate: what a TLS endpoint presents.
 * Immutable; compares by value (certificates by their encoding, keys by theirs), so a reload
 * that read the same files finds nothing changed.
 *
 * <p>The constructor checks that the key belongs to the first certificate; the factories read
 * PEM files or a PKCS#12 keystore and report any problem as a {@link KeyFileException} naming the
 * file.
 *
 * @param chain the leaf certificate first, then its issuers, as sent to the peer
 * @param key   the leaf certificate's private key
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
    private static final byte[] PROBE = "lb.core.tls key check".getBytes(StandardCharsets.US_ASCII);

    public CertifiedKey {
        chain = List.copyOf(chain);
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certified key needs at least its own certificate");
        }
        String mismatch = mismatch(chain.get(0), key);
        if (mismatch != null) {
            throw new IllegalArgumentException(mismatch);
        }
    }

    /** The leaf: the certificate the key belongs to. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The chain from {@code chainFile} (leaf first) with the key from {@code keyFile}. */
    public static CertifiedKey fromPem(Path chainFile, Path keyFile) throws KeyFileException {
        List<X509Certificate> chain = PemFiles.certificates(chainFile);
        PrivateKey key = PemFiles.privateKey(keyFile);
        return checked(chain, key, keyFile + " with " + chainFile);
    }

    /** A chain and its key kept in one PEM file, as some servers like it. */
    public static CertifiedKey fromPem(Path combinedFile) throws KeyFileException {
        String source = combinedFile.toString();
        List<Pem.Block> blocks = PemFiles.blocks(combinedFile);
        return checked(PemFiles.certificates(blocks, source), PemFiles.privateKey(blocks, source), source);
    }

    /** The only key entry of a PKCS#12 keystore, with its chain; key and store share the password. */
    public static CertifiedKey fromPkcs12(Path file, char[] password) throws KeyFileException {
        return fromPkcs12(file, password, null);
    }

    /** The key entry {@code alias} of a PKCS#12 keystore (null: the only one), with its chain. */
    public static CertifiedKey fromPkcs12(Path file, char[] password, String alias) throws KeyFileException {
        String source = file.toString();
        KeyStore store = loadPkcs12(file, password);
        try {
            List<String> keys = new ArrayList<>();
            for (String name : Collections.list(store.aliases())) {
                if (store.isKeyEntry(name)) {
                    keys.add(name);
                }
            }
            if (alias == null) {
                if (keys.size() != 1) {
                    throw new KeyFileException(source, keys.isEmpty() ? "no private key entry"
                            : keys.size() + " private keys (" + String.join(", ", keys) + "); name the one to use");
                }
                alias = keys.get(0);
            } else if (!keys.contains(alias)) {
                throw new KeyFileException(source, "no private key entry '" + alias + "' (found: " + String.join(", ", keys) + ")");
            }
            Key key = store.getKey(alias, password);
            if (!(key instanceof PrivateKey)) {
                throw new KeyFileException(source, "entry '" + alias + "' is not a private key");
            }
            Certificate[] certificates = store.getCertificateChain(alias);
            if (certificates == null || certificates.length == 0) {
                throw new KeyFileException(source, "entry '" + alias + "' has no certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : certificates) {
                if (!(certificate instanceof X509Certificate)) {
                    throw new KeyFileException(source, "entry '" + alias + "' holds a " + certificate.getType() + " certificate");
                }
                chain.add((X509Certificate) certificate);
            }
            return checked(chain, (PrivateKey) key, source + " entry '" + alias + "'");
        } catch (UnrecoverableKeyException e) {
            throw new KeyFileException(source, "the key of entry '" + alias + "' has another password than the keystore", e);
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(source, "cannot read the keystore: " + e.getMessage(), e);
        }
    }

    private static KeyStore loadPkcs12(Path file, char[] password) throws KeyFileException {
        String source = file.toString();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (NoSuchFileException e) {
            throw new KeyFileException(source, "no such file", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new KeyFileException(source, "wrong keystore password", e);
            }
            throw new KeyFileException(source, "not a readable PKCS#12 keystore: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(source, "not a readable PKCS#12 keystore: " + e.getMessage(), e);
        }
    }

    private static CertifiedKey checked(List<X509Certificate> chain, PrivateKey key, String source) throws KeyFileException {
        try {
            return new CertifiedKey(chain, key);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(source, e.getMessage(), e);
        }
    }

    /** Why {@code key} is not {@code certificate}'s, or null when it is. */
    static String mismatch(X509Certificate certificate, PrivateKey key) {
        PublicKey publicKey = certificate.getPublicKey();
        String subject = certificate.getSubjectX500Principal().getName();
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())) {
            return "the key is " + key.getAlgorithm() + " but the certificate (" + subject + ") holds an "
                    + publicKey.getAlgorithm() + " key";
        }
        boolean matches;
        if (publicKey instanceof RSAKey && key instanceof RSAKey) {
            BigInteger modulus = ((RSAKey) key).getModulus();
            matches = modulus.equals(((RSAKey) publicKey).getModulus());
        } else {
            matches = signs(key, publicKey);
        }
        return matches ? null : "the key does not match the certificate (" + subject + ")";
    }

    /** Whether a signature made with {@code key} verifies with {@code publicKey}. */
    private static boolean signs(PrivateKey key, PublicKey publicKey) {
        try {
            String algorithm = key instanceof ECKey ? "SHA256withECDSA" : key.getAlgorithm();
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Names the certificate, never the key. */
    @Override
    public String toString() {
        return "CertifiedKey[" + certificate().getSubjectX500Principal().getName() + ", " + key.getAlgorithm()
                + ", chain of " + chain.size() + "]";
    }
}
