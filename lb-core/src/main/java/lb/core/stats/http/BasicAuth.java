package lb.core.stats.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * HTTP basic authentication (RFC 7617) against one user and password. Missing or wrong
 * credentials get 401 with the {@link #challenge()} and no data, before any route is looked
 * at. Compares digests in constant time, so response timing tells nothing about how close a
 * guess was. Immutable, so thread-safe; used on the endpoint's thread.
 */
final class BasicAuth {
    private static final String SCHEME = "Basic ";

    private final String challenge;
    private final byte[] userDigest;
    private final byte[] passwordDigest;

    BasicAuth(String realm, String user, String password) {
        this.challenge = "Basic realm=\"" + realm + "\", charset=\"UTF-8\"";
        this.userDigest = sha256(user);
        this.passwordDigest = sha256(password);
    }

    /** The {@code WWW-Authenticate} value of a 401: UTF-8, so passwords beyond ASCII work. */
    String challenge() {
        return challenge;
    }

    /** Whether an {@code Authorization} header value (null when absent) carries the credentials. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(SCHEME.length()).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean userMatches = MessageDigest.isEqual(sha256(decoded.substring(0, colon)), userDigest);
        boolean passwordMatches = MessageDigest.isEqual(sha256(decoded.substring(colon + 1)), passwordDigest);
        return userMatches & passwordMatches; // both always compared
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
