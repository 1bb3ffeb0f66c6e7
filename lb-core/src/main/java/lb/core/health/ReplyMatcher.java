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

    /**
     * The server closed after sending {@code received}: the last word, for replies whose end
     * decides (an HTTP body without a length). {@link Judgement#NEED_MORE} here fails the check
     * as closed before a full reply; by default the reply is judged as any other.
     */
    default Judgement judgeAtEnd(ByteBuffer received) {
        return judge(received);
    }
}
