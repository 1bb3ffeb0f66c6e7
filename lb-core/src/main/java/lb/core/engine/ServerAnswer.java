package lb.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import lb.core.limit.MemoryBudget;
import lb.core.model.ServerHandshake;

/**
 * A server's answer to the bytes forwarded in its client's name, read and checked before
 * anything of the server's is relayed (a verdict's {@link ServerHandshake}, for a WebSocket
 * broker's {@code 101}). Not thread-safe: owned by one tunnel on its loop.
 *
 * <p>Until the answer, only the request part of the bytes for the server is written
 * ({@link #writeRequest}); the rest stays in the client-to-server relay's pending buffer, which
 * also keeps the client from being read, so nothing overtakes it. The server's first bytes are
 * held in {@link FirstBytes}: bounded by the frontend's inspect cap, charged to the memory
 * budget, and gone once the answer is whole. What came after the answer is handed to the tunnel
 * to relay ({@link #takeRest}).
 */
final class ServerAnswer {
    enum Outcome { NEED_MORE, ACCEPTED, REFUSED }

    private final ServerHandshake check;
    private final FirstBytes held;
    private final int cap;
    /** Bytes of the request still to write before the answer. */
    private int requestUnsent;
    private int answerLength;
    /** Why the answer was refused, once it was. */
    private String failure;

    ServerAnswer(ServerHandshake check, MemoryBudget budget, int cap) {
        this.check = check;
        this.held = new FirstBytes(budget);
        this.cap = cap;
        this.requestUnsent = check.requestLength();
    }

    /** True while part of the request is unwritten (the server's socket is wanted writable). */
    boolean hasUnsentRequest() {
        return requestUnsent > 0;
    }

    /**
     * Writes what is left of the request from the start of {@code pending} (the bytes for the
     * server, request first), through {@code tls} when the server's end is TLS; the rest of
     * {@code pending} stays unwritten.
     */
    void writeRequest(ByteBuffer pending, SocketChannel channel, TlsEnd tls) throws IOException {
        if (requestUnsent <= 0) {
            return;
        }
        int limit = pending.limit();
        pending.limit(Math.min(limit, pending.position() + requestUnsent));
        try {
            requestUnsent -= tls != null ? tls.write(pending) : channel.write(pending);
        } finally {
            pending.limit(limit);
        }
    }

    /** Reads what the server sent (through {@code tls} when the server's end is TLS) and checks it. */
    Outcome read(SocketChannel channel, TlsEnd tls, ByteBuffer scratch) {
        do {
            if (held.size() >= cap) {
                return refuse("no whole answer within " + cap + " bytes");
            }
            scratch.clear().limit(Math.min(scratch.capacity(), cap - held.size()));
            int n;
            try {
                n = tls != null ? tls.read(scratch) : channel.read(scratch);
            } catch (IOException e) {
                return refuse("reading its answer: " + e.getMessage());
            }
            if (n < 0) {
                return refuse("closed before answering");
            }
            if (n == 0) {
                return Outcome.NEED_MORE;
            }
            if (!held.append(scratch.flip(), cap)) {
                return refuse("memory budget spent: cannot hold " + (held.size() + n) + " bytes of its answer");
            }
            int verdict = check.check(held.view().asReadOnlyBuffer());
            if (verdict < 0) {
                return refuse(check.failure());
            }
            if (verdict > 0) {
                answerLength = verdict;
                return Outcome.ACCEPTED;
            }
        } while (tls != null && tls.hasBufferedInput());
        return Outcome.NEED_MORE;
    }

    private Outcome refuse(String why) {
        failure = why;
        return Outcome.REFUSED;
    }

    /** Why the answer was refused. */
    String failure() {
        return failure;
    }

    /** Bytes for the client after a refused answer, or null. */
    ByteBuffer failureReply() {
        return check.failureReply();
    }

    /**
     * After {@link Outcome#ACCEPTED}: what the server sent after its answer, ready to write, or
     * null if nothing. Its capacity stays charged to the budget until it is written (as a
     * relay's pending bytes).
     */
    ByteBuffer takeRest() {
        if (held.size() == answerLength) {
            held.release();
            return null;
        }
        ByteBuffer rest = held.handOver();
        rest.position(answerLength);
        return rest;
    }

    /** Gives the budget back. */
    void release() {
        held.release();
    }
}
