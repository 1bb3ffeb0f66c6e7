package lb.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;

import lb.core.tls.Handshake;
import lb.core.tls.TlsFailure;
import lb.core.tls.TlsLayer;

/**
 * One TLS end of a tunnel: the client's, when its frontend terminates TLS, or the server's,
 * when its backend re-encrypts. Its socket below, a {@link TlsLayer} in between, and plaintext
 * reads and writes above, shaped like the socket's own so a {@link Relay} and the inspection
 * use it the same way. Owned by the tunnel's loop.
 *
 * <p>Ciphertext read from the socket goes through the loop's one TLS read buffer; the layer
 * borrows buffers from the loop only while bytes are in flight, so an idle TLS tunnel holds
 * none. Writes take plaintext only while no earlier ciphertext waits for the socket: a
 * congested client holds at most one record's ciphertext plus the relay's one pending buffer.
 */
final class TlsEnd {
    private final SocketChannel socket;
    private final TlsLayer layer;
    private final ByteBuffer cipherIn;
    private boolean socketEnded;
    /** close_notify was asked for; the socket's output is shut once it is flushed. */
    private boolean closing;
    private boolean outputShut;

    TlsEnd(SocketChannel socket, SSLEngine engine, EventLoop loop) {
        this.socket = socket;
        TlsBuffers buffers = loop.tls();
        this.layer = new TlsLayer(engine, buffers);
        this.cipherIn = buffers.readBuffer;
    }

    /** As the client side of a connection: sends the ClientHello. */
    void start() throws IOException {
        layer.start();
        flush();
    }

    /** Reads what the socket has into the layer and answers the handshake; false if the socket ended. */
    boolean pull() throws IOException {
        if (socketEnded) {
            return false;
        }
        cipherIn.clear();
        int n = socket.read(cipherIn);
        if (n < 0) {
            socketEnded = true;
            layer.endOfInput();
            return false;
        }
        if (n > 0) {
            cipherIn.flip();
            layer.receive(cipherIn);
        }
        flush();
        return true;
    }

    /** Takes ciphertext that arrived another way (after a PROXY header read in the clear). */
    void feed(ByteBuffer ciphertext) throws IOException {
        layer.receive(ciphertext);
        flush();
    }

    /** Writes held ciphertext (handshake messages, records, alerts); true when none is left. */
    boolean flush() throws IOException {
        ByteBuffer out = layer.ciphertext();
        while (out.hasRemaining()) {
            if (socket.write(out) == 0) {
                return false;
            }
            layer.resume(); // gives back the drained buffer; may make room for held records
            out = layer.ciphertext();
        }
        if (closing && !outputShut) {
            outputShut = true;
            socket.shutdownOutput();
        }
        return true;
    }

    /** Ciphertext, or the end of output, is waiting for the socket to take it. */
    boolean hasUnsent() {
        return layer.ciphertext().hasRemaining() || (closing && !outputShut);
    }

    boolean isHandshakeDone() {
        return layer.isHandshakeDone();
    }

    /** What the handshake agreed on, read from the session at each call: take it once. */
    Handshake handshake() {
        return layer.handshake();
    }

    /** Why TLS failed, or null. */
    TlsFailure failure() {
        return layer.failure();
    }

    /** True once the client can send nothing more: its close_notify, or the socket's end. */
    boolean isInputDone() {
        return socketEnded || layer.state() == TlsLayer.State.PEER_CLOSED || layer.state() == TlsLayer.State.CLOSED;
    }

    /** Decrypted bytes are waiting: read them without waiting for the socket. */
    boolean hasBufferedInput() {
        return layer.plaintext().hasRemaining();
    }

    /**
     * As {@link SocketChannel#read}: plaintext copied into {@code dst}, 0 if none is ready, -1
     * once the client ended. A TLS failure is an {@link IOException} naming its reason.
     */
    int read(ByteBuffer dst) throws IOException {
        if (!hasBufferedInput() && !isInputDone()) {
            pull();
        }
        failIfFailed();
        ByteBuffer plain = layer.plaintext();
        if (!plain.hasRemaining()) {
            return isInputDone() ? -1 : 0;
        }
        int n = Math.min(plain.remaining(), dst.remaining());
        int limit = plain.limit();
        plain.limit(plain.position() + n);
        dst.put(plain);
        plain.limit(limit);
        layer.resume();
        return n;
    }

    /**
     * As {@link SocketChannel#write}: the plaintext taken, 0 while earlier ciphertext is unsent.
     * After the peer's close_notify closed the whole connection (TLS 1.2 has no half-close: its
     * engine answers with its own close_notify), nothing can be sent: {@link ClosedByPeer}.
     */
    int write(ByteBuffer src) throws IOException {
        if (!flush()) {
            return 0;
        }
        if (!closing && layer.state() == TlsLayer.State.CLOSED) {
            throw new ClosedByPeer();
        }
        int before = src.remaining();
        layer.send(src);
        failIfFailed();
        flush();
        return before - src.remaining();
    }

    /** Sends close_notify, then shuts the socket's output once everything before it is out. */
    void shutdownOutput() throws IOException {
        if (!closing) {
            closing = true;
            layer.close();
        }
        flush();
    }

    /** Gives every borrowed buffer back; the connection is over. */
    void release() {
        layer.discard();
    }

    /** The peer ended the TLS connection both ways: a normal end, not a failure. */
    static final class ClosedByPeer extends IOException {
        private static final long serialVersionUID = 1L;

        ClosedByPeer() {
            super("TLS: the peer closed the connection (close_notify)");
        }
    }

    private void failIfFailed() throws IOException {
        TlsFailure f = layer.failure();
        if (f != null) {
            throw new IOException("TLS: " + f);
        }
    }
}
