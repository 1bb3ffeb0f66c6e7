package lb.core.stats.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * One client connection to the stats endpoint, from accept to close: it reads one request
 * head, writes one answer and closes. Owned by the endpoint's thread ({@link StatsServer});
 * nothing here is touched from anywhere else.
 *
 * <pre>
 * accept -> READING --head complete--> WRITING --all written--> LINGERING --EOF, deadline--> closed
 *              |      (answer rendered)    |                    (FIN sent; input discarded)
 *              | deadline, EOF, error      | deadline, error
 *              v                           v
 *           closed                      closed
 * </pre>
 *
 * Invariants: every state has exactly one deadline, and the server closes the connection when
 * it passes, whatever the client does; the head is read into a fixed {@link #HEAD_CAP} bytes,
 * so a connection costs the same memory however long or slow its client is.
 */
final class StatsConnection {
    /** Request line plus headers; a browser's or a scraper's fit in well under 2 KiB. */
    static final int HEAD_CAP = 8 * 1024;
    /**
     * How long a connection waits, after its answer, for the client to close first. Closing
     * with unread input (a POST body, the rest of an oversized head) makes the kernel send a
     * reset, which can destroy the answer before the client reads it; draining first avoids
     * that (the "lingering close" of RFC 9112 section 9.6).
     */
    private static final long LINGER_NS = 1_000_000_000L;
    /** Drained bytes after which the client is no longer humoured and the connection closes. */
    private static final int LINGER_LIMIT = 64 * 1024;

    private enum State { READING, WRITING, LINGERING }

    private final StatsServer server;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final byte[] head = new byte[HEAD_CAP];
    private final ByteBuffer in = ByteBuffer.wrap(head);
    private State state = State.READING;
    private long deadlineNs;
    /** How much of the head has been searched for its end; later reads resume there. */
    private int scanned;
    private ByteBuffer out;
    private int drained;
    private boolean closed;
    /** This connection's slot in the server's table; kept by the server. */
    int slot;

    StatsConnection(StatsServer server, SocketChannel channel, SelectionKey key, long deadlineNs) {
        this.server = server;
        this.channel = channel;
        this.key = key;
        this.deadlineNs = deadlineNs;
    }

    long deadlineNs() {
        return deadlineNs;
    }

    SocketChannel channel() {
        return channel;
    }

    /** The channel is ready for what the current state waits for. */
    void onReady(long nowNs) throws IOException {
        switch (state) {
            case READING -> onHeadBytes(nowNs);
            case WRITING -> onWritable(nowNs);
            case LINGERING -> onLingerBytes();
        }
    }

    /** The current state's deadline has passed. */
    void onDeadline() {
        switch (state) {
            case READING -> server.refuse(StatsServer.Refusal.READ_HEADER_TIMEOUT, channel);
            case WRITING -> server.refuse(StatsServer.Refusal.WRITE_TIMEOUT, channel);
            case LINGERING -> { } // the answer went out; the client merely did not close first
        }
        close();
    }

    private void onHeadBytes(long nowNs) throws IOException {
        if (channel.read(in) < 0) {
            close(); // the client gave up before finishing its request
            return;
        }
        int end = RequestHead.end(head, scanned, in.position());
        if (end < 0) {
            scanned = in.position();
            if (!in.hasRemaining()) {
                server.refuse(StatsServer.Refusal.MALFORMED, channel);
                answer(Response.text(431, "request head larger than " + HEAD_CAP + " bytes\n"), false, nowNs);
            }
            return;
        }
        Optional<RequestHead> request = RequestHead.parse(head, end);
        if (request.isEmpty()) {
            server.refuse(StatsServer.Refusal.MALFORMED, channel);
            answer(Response.text(400, "bad request\n"), false, nowNs);
            return;
        }
        Response response = server.routes().answer(request.get());
        if (response.status() == 401) {
            server.refuse(StatsServer.Refusal.UNAUTHORIZED, channel);
        }
        answer(response, request.get().method().equals("HEAD"), nowNs);
    }

    private void answer(Response response, boolean headOnly, long nowNs) throws IOException {
        out = response.encode(headOnly);
        state = State.WRITING;
        deadlineNs = server.arm(nowNs + server.writeTimeoutNs());
        onWritable(nowNs); // a fresh socket's send buffer usually takes it all at once
    }

    private void onWritable(long nowNs) throws IOException {
        channel.write(out);
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        out = null;
        channel.shutdownOutput();
        state = State.LINGERING;
        deadlineNs = server.arm(nowNs + LINGER_NS);
        in.clear();
        key.interestOps(SelectionKey.OP_READ);
    }

    private void onLingerBytes() throws IOException {
        in.clear();
        int n = channel.read(in);
        if (n < 0 || (drained += n) > LINGER_LIMIT) {
            close();
        }
    }

    /** Closes the socket and gives up the slot; safe to call twice. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing is left to tell the client, and the descriptor is released either way
        }
        server.forget(this);
    }
}
