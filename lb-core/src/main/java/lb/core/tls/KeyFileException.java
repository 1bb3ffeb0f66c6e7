package lb.core.tls;

import java.io.IOException;

/**
 * A certificate, key or keystore file that cannot be used. The message starts with the file, then
 * says what is wrong in words an operator can act on: "broker-key.pem: encrypted private keys are
 * not supported".
 */
public final class KeyFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String source, String problem) {
        super(source + ": " + problem);
    }

    public KeyFileException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
    }
}
