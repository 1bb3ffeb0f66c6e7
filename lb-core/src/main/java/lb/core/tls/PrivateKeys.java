package lb.core.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;

/**
 * Turns a PEM private key block into a {@link PrivateKey}. Stateless. The JDK reads PKCS#8 only,
 * so the two older OpenSSL forms are wrapped into a PKCS#8 PrivateKeyInfo by hand first:
 *
 * <pre>
 * "PRIVATE KEY"      PKCS#8 (RFC 5208 section 5), used as is:
 *   PrivateKeyInfo ::= SEQUENCE { version INTEGER (0 or 1), privateKeyAlgorithm AlgorithmIdentifier,
 *                                 privateKey OCTET STRING, ... }
 * "RSA PRIVATE KEY"  PKCS#1 RSAPrivateKey (RFC 8017 appendix A.1.2), wrapped as
 *   SEQUENCE { 0, SEQUENCE { rsaEncryption 1.2.840.113549.1.1.1, NULL }, OCTET STRING { key } }
 * "EC PRIVATE KEY"   SEC1 ECPrivateKey (RFC 5915 section 3):
 *   ECPrivateKey ::= SEQUENCE { version INTEGER 1, privateKey OCTET STRING,
 *                               parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
 *   wrapped as SEQUENCE { 0, SEQUENCE { ecPublicKey 1.2.840.10045.2.1, curve OID }, OCTET STRING { key } },
 *   the curve taken from the key's own parameters (RFC 5480 section 2.1.1 namedCurve)
 * </pre>
 *
 * EC keys must be on a curve the JDK's TLS can sign with (P-256, P-384, P-521); encrypted keys
 * are refused with a hint, since a password in the configuration is no safer than a key file
 * readable by the process alone.
 */
final class PrivateKeys {
    static final String PKCS8 = "PRIVATE KEY";
    static final String PKCS1 = "RSA PRIVATE KEY";
    static final String SEC1 = "EC PRIVATE KEY";
    static final String ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY";

    private static final byte[] RSA_ENCRYPTION = oid(0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01);
    private static final byte[] RSASSA_PSS = oid(0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A);
    private static final byte[] EC_PUBLIC_KEY = oid(0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01);
    private static final byte[] ED25519 = oid(0x2B, 0x65, 0x70);
    private static final byte[] ED448 = oid(0x2B, 0x65, 0x71);
    private static final byte[] DER_NULL = {Der.NULL, 0};
    private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};

    /** Curves TLS in the JDK signs with (RFC 8446 section 4.2.3 ecdsa_secp*r1_*), by dotted OID. */
    private static final Map<String, String> TLS_CURVES = Map.of(
            "1.2.840.10045.3.1.7", "P-256",
            "1.3.132.0.34", "P-384",
            "1.3.132.0.35", "P-521");
    /** Other curves, named in messages only. */
    private static final Map<String, String> OTHER_CURVES = Map.of(
            "1.3.132.0.10", "secp256k1",
            "1.2.840.10045.3.1.1", "P-192",
            "1.3.132.0.33", "P-224",
            "1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1",
            "1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1",
            "1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1");

    private PrivateKeys() {
    }

    /** Whether a PEM block of this label holds a private key, in a form readable or not. */
    static boolean isKey(String label) {
        return label.equals(PKCS8) || label.equals(PKCS1) || label.equals(SEC1) || label.equals(ENCRYPTED_PKCS8)
                || label.endsWith(" PRIVATE KEY");
    }

    static PrivateKey decode(Pem.Block block, String source) throws KeyFileException {
        String label = block.label();
        if (block.encrypted() || label.equals(ENCRYPTED_PKCS8)) {
            throw new KeyFileException(source, "encrypted private keys are not supported; store it decrypted, "
                    + "readable by this process only (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem)");
        }
        try {
            return switch (label) {
                case PKCS8 -> fromPkcs8(block.der(), source);
                case PKCS1 -> fromPkcs8(rsaPkcs8(block.der()), source);
                case SEC1 -> fromPkcs8(ecPkcs8(block.der(), source), source);
                default -> throw new KeyFileException(source, "'" + label + "' keys are not supported; "
                        + "use PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 RSA or SEC1 EC");
            };
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(source, "malformed " + label + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey fromPkcs8(byte[] pkcs8, String source) throws KeyFileException {
        Der.Element info = Der.sequence(pkcs8, "PrivateKeyInfo");
        Der.Element version = Der.expect(pkcs8, info.start(), info.end(), Der.INTEGER, "PrivateKeyInfo version");
        Der.Element algorithm = Der.expect(pkcs8, version.end(), info.end(), Der.SEQUENCE, "PrivateKeyInfo algorithm");
        Der.Element oid = Der.expect(pkcs8, algorithm.start(), algorithm.end(), Der.OID, "key algorithm");
        byte[] algorithmOid = Der.contents(pkcs8, oid);
        String name;
        if (Arrays.equals(algorithmOid, RSA_ENCRYPTION)) {
            name = "RSA";
        } else if (Arrays.equals(algorithmOid, RSASSA_PSS)) {
            name = "RSASSA-PSS";
        } else if (Arrays.equals(algorithmOid, EC_PUBLIC_KEY)) {
            name = "EC";
            requireTlsCurve(pkcs8, oid.end(), algorithm.end(), version.end(), info.end(), source);
        } else if (Arrays.equals(algorithmOid, ED25519)) {
            name = "Ed25519";
        } else if (Arrays.equals(algorithmOid, ED448)) {
            name = "Ed448";
        } else {
            throw new KeyFileException(source, "unknown key algorithm " + Der.dotted(algorithmOid));
        }
        try {
            return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(source, "the JDK cannot read this " + name + " key: " + e.getMessage(), e);
        }
    }

    /**
     * An EC PrivateKeyInfo names its curve in the AlgorithmIdentifier's parameters; when those
     * are absent, the inner SEC1 key must carry them.
     */
    private static void requireTlsCurve(byte[] pkcs8, int parametersAt, int algorithmEnd, int afterVersion, int infoEnd,
                                        String source) throws KeyFileException {
        if (parametersAt < algorithmEnd) {
            Der.Element parameters = Der.read(pkcs8, parametersAt, algorithmEnd);
            requireTlsCurve(parameters, pkcs8, source);
            return;
        }
        Der.Element algorithm = Der.read(pkcs8, afterVersion, infoEnd);
        Der.Element key = Der.expect(pkcs8, algorithm.end(), infoEnd, Der.OCTET_STRING, "privateKey");
        curveOf(Der.contents(pkcs8, key), source);
    }

    private static void requireTlsCurve(Der.Element parameters, byte[] der, String source) throws KeyFileException {
        if (parameters.tag() != Der.OID) {
            throw new KeyFileException(source, "EC key with explicit or implicit curve parameters; only named curves "
                    + "are supported (openssl ec -param_enc named_curve)");
        }
        String dotted = Der.dotted(Der.contents(der, parameters));
        if (!TLS_CURVES.containsKey(dotted)) {
            String name = OTHER_CURVES.getOrDefault(dotted, "unknown curve");
            throw new KeyFileException(source, "EC key on " + name + " (" + dotted
                    + "); TLS here signs with P-256, P-384 or P-521 only");
        }
    }

    private static byte[] rsaPkcs8(byte[] pkcs1) {
        Der.sequence(pkcs1, "RSAPrivateKey");
        byte[] algorithm = Der.element(Der.SEQUENCE, Der.element(Der.OID, RSA_ENCRYPTION), DER_NULL);
        return Der.element(Der.SEQUENCE, VERSION_0, algorithm, Der.element(Der.OCTET_STRING, pkcs1));
    }

    private static byte[] ecPkcs8(byte[] sec1, String source) throws KeyFileException {
        byte[] curve = curveOf(sec1, source);
        byte[] algorithm = Der.element(Der.SEQUENCE, Der.element(Der.OID, EC_PUBLIC_KEY), Der.element(Der.OID, curve));
        return Der.element(Der.SEQUENCE, VERSION_0, algorithm, Der.element(Der.OCTET_STRING, sec1));
    }

    /** The named curve OID (contents) in a SEC1 ECPrivateKey's parameters, checked usable for TLS. */
    private static byte[] curveOf(byte[] sec1, String source) throws KeyFileException {
        Der.Element key = Der.sequence(sec1, "ECPrivateKey");
        Der.Element version = Der.expect(sec1, key.start(), key.end(), Der.INTEGER, "ECPrivateKey version");
        Der.Element secret = Der.expect(sec1, version.end(), key.end(), Der.OCTET_STRING, "ECPrivateKey privateKey");
        if (secret.end() < key.end()) {
            Der.Element tagged = Der.read(sec1, secret.end(), key.end());
            if (tagged.tag() == Der.CONTEXT_0) {
                Der.Element parameters = Der.read(sec1, tagged.start(), tagged.end());
                requireTlsCurve(parameters, sec1, source);
                return Der.contents(sec1, parameters);
            }
        }
        throw new KeyFileException(source, "EC key without its curve: the SEC1 key has no parameters");
    }

    private static byte[] oid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }
}
