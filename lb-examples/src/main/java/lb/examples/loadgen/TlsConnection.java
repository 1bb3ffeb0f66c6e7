package lb.examples.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Locale;

import javax.net.ssl.SSLEngine;

import lb.core.tls.BufferSource;
import lb.core.tls.Handshake;
import lb.core.tls.TlsLayer;
import lb.examples.broker.FrameHandler;
import lb.examples.broker.FrameReader;

/**
 * One client's TLS over its socket: a {@link TlsLayer} (the non-blocking engine driver) and the
 * socket reads and writes it needs. Not thread-safe: owned by the client's loop.
 *
 * <p>It is the channel a {@link lb.examples.broker.PacketWriter} flushes to, so packets are
 * encrypted and sent unchanged from the plain path; reading decrypts into the layer's plaintext
 * and hands it to the client's {@link FrameReader}. Ciphertext that the socket did not take
 * stays in the layer, which then takes no more plaintext: the caller waits for OP_WRITE.
 */
final class TlsConnection implements WritableByteChannel {
    private final SSLEngine engine;
    private final TlsLayer layer;
    private final SocketChannel socket;
    private final long startEpochMs;

    /** {@code startEpochMs}: when the attempt began, to tell a resumed session from a new one. */
    TlsConnection(SSLEngine engine, BufferSource buffers, SocketChannel socket, long startEpochMs) {
        this.engine = engine;
        this.layer = new TlsLayer(engine, buffers);
        this.socket = socket;
        this.startEpochMs = startEpochMs;
    }

    /** Begins the handshake: the ClientHello goes out with the next flush. */
    void start() {
        layer.start();
    }

    /**
     * Reads once from the socket into {@code cipherBuffer}, decrypts, and hands every complete
     * packet to {@code handler}; handshake replies go out at once. Returns the bytes read, or
     * {@link FrameReader#EOF}, {@link FrameReader#MALFORMED} or {@link FrameReader#STOPPED}.
     */
    int read(ByteBuffer cipherBuffer, FrameReader reader, FrameHandler handler) throws IOException {
        cipherBuffer.clear();
        int n = socket.read(cipherBuffer);
        if (n < 0) {
            layer.endOfInput();
            return FrameReader.EOF;
        }
        cipherBuffer.flip();
        layer.receive(cipherBuffer);
        // The plaintext buffer holds about one record: drain it, let the layer unwrap the rest, again.
        for (ByteBuffer plain = layer.plaintext(); plain.hasRemaining(); plain = layer.plaintext()) {
            int status = reader.accept(plain, handler);
            if (status < 0) {
                return status;
            }
            layer.resume();
        }
        flushCiphertext();
        return n;
    }

    /** Writes what the layer has encrypted; true when none is left waiting. */
    boolean flushCiphertext() throws IOException {
        ByteBuffer out = layer.ciphertext();
        if (out.hasRemaining()) {
            socket.write(out);
            layer.resume();
        }
        return !layer.ciphertext().hasRemaining();
    }

    /** Whether encrypted bytes wait for the socket. */
    boolean hasCiphertext() {
        return layer.ciphertext().hasRemaining();
    }

    /** Encrypts and sends as much of {@code plaintext} as the socket takes; returns the plaintext bytes taken. */
    @Override
    public int write(ByteBuffer plaintext) throws IOException {
        int before = plaintext.position();
        while (plaintext.hasRemaining() && flushCiphertext()) {
            int at = plaintext.position();
            layer.send(plaintext);
            if (plaintext.position() == at) {
                break; // handshake not done, closed or failed: nothing is taken
            }
        }
        flushCiphertext();
        return plaintext.position() - before;
    }

    /** Sends close_notify, as far as the socket takes it at once. */
    void closeGracefully() {
        layer.close();
        try {
            flushCiphertext();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    /** Gives every borrowed buffer back; the connection is over. */
    void discard() {
        layer.discard();
    }

    TlsLayer.State state() {
        return layer.state();
    }

    Handshake handshake() {
        return layer.handshake();
    }

    /**
     * Whether the finished handshake resumed an earlier session: a resumed session keeps the
     * creation time of the full handshake that made it, which is before this attempt began.
     */
    boolean isResumed() {
        return engine.getSession().getCreationTime() < startEpochMs;
    }

    /** The failure as a stats reason, e.g. {@code tls_bad_certificate}. */
    String failureReason() {
        return layer.failure() == null ? "tls_failed" : "tls_" + layer.failure().reason().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    /** The same as {@link #discard}: the channel contract's close, which the writer never calls. */
    @Override
    public void close() {
        discard();
    }
}
