package lb.core.stick;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The stand-in a stick table keeps for a key longer than its limit: a marker, then the SHA-256
 * of the key's characters in base64url, {@value #LENGTH} characters whatever the key's length.
 * Stateless; any thread.
 *
 * <pre>
 * U+DFFF  "sha256:"  43 base64url characters (256 bits, unpadded)
 * </pre>
 *
 * <p>Why it cannot collide: the marker is a lone low surrogate, which no key read from UTF-8 text
 * (MQTT forbids encoded surrogates, [MQTT-1.5.4-1]) or made of bytes ({@link StickTable#bytesKey},
 * characters up to U+00FF) can hold, so a digest never equals a real short key; and two long keys
 * share a digest only if SHA-256 collides. The digest covers the UTF-16 code units themselves,
 * not an encoding of them, so even keys that differ only in unpaired surrogates (which a UTF-8
 * encoder would replace alike) get different digests.
 */
final class KeyDigest {
    static final char MARKER = '\uDFFF';
    private static final String PREFIX = MARKER + "sha256:";
    /** The marker, the algorithm's name and 256 bits as 43 base64 characters without padding. */
    static final int LENGTH = 8 + 43;

    private KeyDigest() {
    }

    /** The digest form of {@code key}. Costs one pass over the key and a few small arrays. */
    static String of(String key) {
        int n = key.length();
        byte[] units = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            units[2 * i] = (byte) (c >>> 8);
            units[2 * i + 1] = (byte) c;
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(sha256().digest(units));
    }

    /** Whether {@code key} is already in digest form (so it is kept as it is). */
    static boolean isDigest(String key) {
        return key.length() == LENGTH && key.charAt(0) == MARKER;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
