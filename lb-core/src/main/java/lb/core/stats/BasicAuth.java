package lb.core.stats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import com.sun.net.httpserver.BasicAuthenticator;

/**
 * HTTP basic authentication against one user and password. Missing or wrong credentials get
 * 401 with a {@code WWW-Authenticate} challenge and no body, before any handler runs. Compares
 * digests in constant time, so response timing tells nothing about how close a guess was.
 * Thread-safe.
 */
final class BasicAuth extends BasicAuthenticator {
    private final byte[] userDigest;
    private final byte[] passwordDigest;

    BasicAuth(String realm, String user, String password) {
        super(realm, StandardCharsets.UTF_8);
        this.userDigest = sha256(user);
        this.passwordDigest = sha256(password);
    }

    @Override
    public boolean checkCredentials(String user, String password) {
        boolean userMatches = MessageDigest.isEqual(sha256(user), userDigest);
        boolean passwordMatches = MessageDigest.isEqual(sha256(password), passwordDigest);
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
