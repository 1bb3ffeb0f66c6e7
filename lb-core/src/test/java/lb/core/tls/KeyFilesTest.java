package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates and keys from PEM files in every common form, from PKCS#12, and the refusals. */
class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void anRsaKeyReadsTheSameFromPkcs8AndPkcs1() throws Exception {
        PrivateKey pkcs8 = PemFiles.privateKey(TestKeys.file("broker-key-pkcs8.pem"));
        PrivateKey pkcs1 = PemFiles.privateKey(TestKeys.file("broker-key-pkcs1.pem"));

        assertTrue(pkcs1 instanceof RSAPrivateCrtKey);
        assertEquals(pkcs8, pkcs1);
        assertArrayEquals(pkcs8.getEncoded(), pkcs1.getEncoded());
    }

    @Test
    void anEcKeyReadsTheSameFromSec1AndPkcs8WithItsCurveFromItsParameters() throws Exception {
        PrivateKey sec1 = PemFiles.privateKey(TestKeys.file("devices-key-sec1.pem"));
        PrivateKey pkcs8 = PemFiles.privateKey(TestKeys.file("devices-key-pkcs8.pem"));

        // Same secret; the encodings differ, as OpenSSL's PKCS#8 drops the inner copy of the curve.
        assertEquals(((ECPrivateKey) pkcs8).getS(), ((ECPrivateKey) sec1).getS());
        assertEquals(256, ((ECPrivateKey) sec1).getParams().getCurve().getField().getFieldSize());
        ECPrivateKey p384 = (ECPrivateKey) PemFiles.privateKey(TestKeys.file("fallback-key-sec1.pem"));
        assertEquals(384, p384.getParams().getCurve().getField().getFieldSize());
    }

    @Test
    void aChainFileGivesItsCertificatesLeafFirst() throws Exception {
        CertifiedKey broker = CertifiedKey.fromPem(TestKeys.file("broker-chain.pem"), TestKeys.file("broker-key-pkcs1.pem"));

        assertEquals(2, broker.chain().size());
        assertEquals("CN=broker.example.com,O=lb test", broker.certificate().getSubjectX500Principal().getName());
        assertEquals(TestKeys.CA.get(0), broker.chain().get(1));
        assertEquals(TestKeys.BROKER, broker, "the same files make an equal value");
        assertEquals(2, TestKeys.CA_BUNDLE.size());
    }

    @Test
    void aChainAndItsKeyInOneFileAreReadTogether() throws Exception {
        Path combined = write("combined.pem", read("broker-key-pkcs8.pem") + "Bag Attributes: ignored\n" + read("broker-chain.pem"));
        assertEquals(TestKeys.BROKER, CertifiedKey.fromPem(combined));
    }

    @Test
    void aPkcs12KeystoreGivesItsKeyAndChain() throws Exception {
        CertifiedKey fromStore = CertifiedKey.fromPkcs12(TestKeys.file("broker.p12"), "changeit".toCharArray());
        assertEquals(TestKeys.BROKER, fromStore);
        assertEquals(fromStore, CertifiedKey.fromPkcs12(TestKeys.file("broker.p12"), "changeit".toCharArray(), "broker"));
    }

    @Test
    void aPkcs12KeystoreWithTheWrongPasswordOrAliasSaysSo() {
        Path store = TestKeys.file("broker.p12");
        assertProblem(store, "wrong keystore password", () -> CertifiedKey.fromPkcs12(store, "nope".toCharArray()));
        assertProblem(store, "no private key entry 'mqtt' (found: broker)",
                () -> CertifiedKey.fromPkcs12(store, "changeit".toCharArray(), "mqtt"));
        Path pem = TestKeys.file("broker-chain.pem");
        Exception notAStore = assertThrows(KeyFileException.class, () -> CertifiedKey.fromPkcs12(pem, "changeit".toCharArray()));
        assertTrue(notAStore.getMessage().startsWith(pem + ": not a readable PKCS#12 keystore"), notAStore.getMessage());
    }

    @Test
    void encryptedKeysAreRefusedWithAHint() {
        for (String name : List.of("encrypted-key-pkcs8.pem", "encrypted-key-pkcs1.pem")) {
            Path file = TestKeys.file(name);
            KeyFileException e = assertThrows(KeyFileException.class, () -> PemFiles.privateKey(file));
            assertTrue(e.getMessage().startsWith(file + ": encrypted private keys are not supported"), e.getMessage());
        }
    }

    @Test
    void aKeyOnACurveTlsCannotUseIsRefusedNamingTheCurve() {
        Path file = TestKeys.file("secp256k1-key-sec1.pem");
        assertProblem(file, "EC key on secp256k1 (1.3.132.0.10); TLS here signs with P-256, P-384 or P-521 only",
                () -> PemFiles.privateKey(file));
    }

    @Test
    void anEcKeyWithoutItsCurveOrOnAnUnknownOneIsRefused() throws Exception {
        byte[] sec1 = der(read("devices-key-sec1.pem"));
        // ECPrivateKey SEQUENCE { INTEGER 1, OCTET STRING (32), [0] { OID }, [1] { BIT STRING } }
        Der.Element key = Der.sequence(sec1, "test");
        Der.Element version = Der.read(sec1, key.start(), key.end());
        Der.Element secret = Der.read(sec1, version.end(), key.end());
        byte[] bare = Der.element(Der.SEQUENCE, java.util.Arrays.copyOfRange(sec1, key.start(), secret.end()));
        Path noCurve = write("no-curve.pem", pem("EC PRIVATE KEY", bare));
        assertProblem(noCurve, "EC key without its curve: the SEC1 key has no parameters", () -> PemFiles.privateKey(noCurve));

        byte[] madeUpCurve = Der.element(0xA0, Der.element(Der.OID, new byte[] {0x2B, 6, 1, 4, 1, (byte) 0x86, (byte) 0x8D, 0x1F, 1}));
        byte[] unknown = Der.element(Der.SEQUENCE, java.util.Arrays.copyOfRange(sec1, key.start(), secret.end()), madeUpCurve);
        Path unknownCurve = write("unknown-curve.pem", pem("EC PRIVATE KEY", unknown));
        assertProblem(unknownCurve, "EC key on unknown curve (1.3.6.1.4.1.99999.1); TLS here signs with P-256, P-384 or P-521 only",
                () -> PemFiles.privateKey(unknownCurve));
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() {
        Path chain = TestKeys.file("broker-chain.pem");
        Path otherRsa = TestKeys.file("legacy-key-pkcs8.pem");
        assertProblem(otherRsa + " with " + chain, "the key does not match the certificate (CN=broker.example.com,O=lb test)",
                () -> CertifiedKey.fromPem(chain, otherRsa));
        Path ec = TestKeys.file("devices-key-pkcs8.pem");
        assertProblem(ec + " with " + chain, "the key is EC but the certificate (CN=broker.example.com,O=lb test) holds an RSA key",
                () -> CertifiedKey.fromPem(chain, ec));
        Path otherEc = TestKeys.file("client-key-pkcs8.pem");
        Path devices = TestKeys.file("devices-cert.pem");
        assertProblem(otherEc + " with " + devices, "the key does not match the certificate (CN=*.devices.example.com,O=lb test)",
                () -> CertifiedKey.fromPem(devices, otherEc));
    }

    @Test
    void aFileWithoutWhatWasAskedSaysWhatItHolds() throws Exception {
        Path key = TestKeys.file("broker-key-pkcs8.pem");
        assertProblem(key, "no certificate (found PRIVATE KEY)", () -> PemFiles.certificates(key));
        Path cert = TestKeys.file("ca-bundle.pem");
        assertProblem(cert, "no private key (found CERTIFICATE, CERTIFICATE)", () -> PemFiles.privateKey(cert));
        Path missing = dir.resolve("missing.pem");
        assertProblem(missing, "no such file", () -> PemFiles.certificates(missing));
        Path empty = write("empty.pem", "just text\n");
        assertProblem(empty, "no PEM block (-----BEGIN ...-----) in the file", () -> PemFiles.certificates(empty));
        Path twoKeys = write("two-keys.pem", read("broker-key-pkcs8.pem") + read("devices-key-sec1.pem"));
        assertProblem(twoKeys, "more than one private key; keep one per file", () -> PemFiles.privateKey(twoKeys));
    }

    @Test
    void brokenPemIsReportedWithItsLine() throws Exception {
        Path noEnd = write("no-end.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
        assertProblem(noEnd, "no '-----END CERTIFICATE-----' after line 1", () -> PemFiles.certificates(noEnd));
        Path wrongEnd = write("wrong-end.pem", "\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----\n");
        assertProblem(wrongEnd, "line 4: expected '-----END CERTIFICATE-----', found -----END PRIVATE KEY-----",
                () -> PemFiles.certificates(wrongEnd));
        Path badBase64 = write("bad.pem", "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----\n");
        assertProblem(badBase64, "bad base64 in the CERTIFICATE block at line 1", () -> PemFiles.certificates(badBase64));
        Path notX509 = write("not-x509.pem", pem("CERTIFICATE", new byte[] {0x30, 3, 2, 1, 0}));
        KeyFileException e = assertThrows(KeyFileException.class, () -> PemFiles.certificates(notX509));
        assertTrue(e.getMessage().startsWith(notX509 + ": certificate 1 is not valid X.509"), e.getMessage());
        Path garbledKey = write("garbled.pem", pem("RSA PRIVATE KEY", new byte[] {0x30, 5, 2, 1, 0}));
        e = assertThrows(KeyFileException.class, () -> PemFiles.privateKey(garbledKey));
        assertTrue(e.getMessage().startsWith(garbledKey + ": malformed RSA PRIVATE KEY: "), e.getMessage());
    }

    @Test
    void aCertifiedKeyNamesItsCertificateAndNeverItsKey() {
        String text = TestKeys.BROKER.toString();
        assertEquals("CertifiedKey[CN=broker.example.com,O=lb test, RSA, chain of 2]", text);
        assertNotEquals(TestKeys.BROKER, TestKeys.LEGACY);
        assertThrows(IllegalArgumentException.class, () -> new CertifiedKey(List.of(), TestKeys.BROKER.key()));
        assertThrows(IllegalArgumentException.class, () -> new CertifiedKey(TestKeys.BROKER.chain(), TestKeys.LEGACY.key()));
    }

    private interface Load {
        Object run() throws Exception;
    }

    private static void assertProblem(Object source, String problem, Load load) {
        KeyFileException e = assertThrows(KeyFileException.class, load::run);
        assertEquals(source + ": " + problem, e.getMessage());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    private static String read(String name) throws IOException {
        return Files.readString(TestKeys.file(name), StandardCharsets.US_ASCII);
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] der(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(base64);
    }
}
