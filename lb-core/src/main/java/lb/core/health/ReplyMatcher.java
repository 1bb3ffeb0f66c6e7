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
     * The server closed after sending {@code received}: the last word, never
     * {@link Judgement#NEED_MORE}. By default a reply still short of a verdict fails.
     */
    default Judgement judgeAtEnd(ByteBuffer received) {
        Judgement j = judge(received);
        return j.isNeedMore() ? Judgement.fail("closed before a full reply") : j;
    }
}
