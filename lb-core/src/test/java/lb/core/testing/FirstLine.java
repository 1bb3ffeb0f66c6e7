package lb.core.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import lb.core.model.KeyExtractor;
import lb.core.model.Verdict;

/**
 * The tests' key extractor: a client's first line ("key\n") is its key; no newline yet means
 * more bytes are needed. Stateless.
 */
public final class FirstLine {
    /** Routes by the first line. */
    public static final KeyExtractor KEY = FirstLine::route;

    private FirstLine() {
    }

    /** The verdict for {@code bytes}: route by the first line, or need more. */
    public static Verdict route(ByteBuffer bytes) {
        String key = key(bytes);
        return key == null ? Verdict.NEED_MORE : Verdict.route(key);
    }

    /** The first line without its newline, or null while it is incomplete. */
    public static String key(ByteBuffer bytes) {
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            if (bytes.get(i) == '\n') {
                return StandardCharsets.US_ASCII.decode(bytes.duplicate().limit(i)).toString();
            }
        }
        return null;
    }
}
