package lb.core.health;

import java.nio.ByteBuffer;

/**
 * Judges a server's reply to a health-check request. Shared by every probe of a backend, so
 * it must be stateless or thread-safe; it must not change the buffer.
 */
@FunctionalInterface
public interface ReplyMatcher {
    /** {@code received} holds everything read so far, from its position to its limit. */
    Judgement judge(ByteBuffer received);
}
