package lb.core.tls;

import java.nio.ByteBuffer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One TLS connection's layer between a socket and the application: ciphertext below, plaintext
 * above, driving one {@link SSLEngine} without blocking and without touching a socket. Not
 * thread-safe: owned by the loop that owns the connection. Delegated tasks (signatures, key
 * exchange) run inline on that thread.
 *
 * <pre>
 *   socket --receive(ciphertext)--&gt; [held] --unwrap--&gt; plaintext()  --&gt; application
 *   socket &lt;------- ciphertext() &lt;--wrap-- send(plaintext)          &lt;-- application
 *                   (handshake records, alerts and close_notify come out here too)
 * </pre>
 *
 * <p>Invariants: the layer holds at most three borrowed buffers, each only while it holds bytes:
 * {@code held} (ciphertext received but not yet unwrapped: a partial record, or records waiting
 * for the application to drain plaintext), {@code plaintext} (decrypted, not yet taken) and
 * {@code ciphertext} (encrypted, not yet sent). Every public call ends by giving back the ones
 * that are empty, so an idle connection, handshake done and bytes drained, holds none. Buffers
 * are at least the session's packet size (ciphertext) or application size (plaintext), because
 * the engine will not wrap into less and may not unwrap into less.
 *
 * <p>How a loop drives it: {@link #start} when the connection is up; {@link #receive} with what
 * each read brought (all of it is taken); {@link #send} with application bytes (as much as fits
 * is taken; the rest waits until {@code ciphertext()} is flushed). After each call, write out
 * {@link #ciphertext()} and hand {@link #plaintext()} to the application; once some of either
 * has gone, call {@link #resume} so emptied buffers go back and held records get unwrapped. While
 * {@code plaintext()} still has bytes, stop reading the socket: that is the back-pressure.
 * {@link #endOfInput} on EOF, {@link #close} to send close_notify. Failures never throw: they
 * end in {@link State#FAILED} with a {@link #failure()}, and the alert telling the peer why waits
 * in {@code ciphertext()}, worth one flush before closing.
 */
public final class TlsLayer {

    public enum State {
        /** Handshake under way (or not begun). */
        HANDSHAKING,
        /** Handshake done; bytes flow both ways. */
        OPEN,
        /** The peer sent close_notify: no more plaintext will come; we may still send. */
        PEER_CLOSED,
        /** We sent close_notify: we send nothing more; the peer may still send. */
        CLOSING,
        /** close_notify both ways. */
        CLOSED,
        /** See {@link #failure()}. */
        FAILED
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final SSLEngine engine;
    private final int packetSize;
    private final int applicationSize;
    private final BorrowedBuffer held;
    private final BorrowedBuffer plaintext;
    private final BorrowedBuffer ciphertext;
    private boolean started;
    /** The handshake finished; what it agreed on stays in the engine's session, read on demand. */
    private boolean handshakeDone;
    private TlsFailure failure;

    /** {@code engine} already configured (client or server mode, parameters); its handshake not begun. */
    public TlsLayer(SSLEngine engine, BufferSource buffers) {
        this.engine = engine;
        this.held = new BorrowedBuffer(buffers);
        this.plaintext = new BorrowedBuffer(buffers);
        this.ciphertext = new BorrowedBuffer(buffers);
        // Before the handshake the session is a placeholder reporting the largest sizes possible.
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.applicationSize = engine.getSession().getApplicationBufferSize();
    }

    /** Begins the handshake; a client's first flight (its ClientHello) is then in {@link #ciphertext()}. */
    public State start() {
        begin();
        return settle();
    }

    /**
     * Takes all of {@code ciphertextIn} (its position ends at its limit): unwraps what it can into
     * {@link #plaintext()}, answers handshake messages into {@link #ciphertext()}, and holds the
     * rest, such as a partial record, until more arrives or plaintext is drained.
     */
    public State receive(ByteBuffer ciphertextIn) {
        begin();
        if (failure != null || engine.isInboundDone()) {
            ciphertextIn.position(ciphertextIn.limit()); // nothing after close_notify or a failure counts
        } else if (held.isBorrowed()) {
            held.append(ciphertextIn, packetSize);
            drive(held.bytes());
        } else {
            drive(ciphertextIn);
            if (failure != null || engine.isInboundDone()) {
                ciphertextIn.position(ciphertextIn.limit());
            } else if (ciphertextIn.hasRemaining()) {
                held.append(ciphertextIn, packetSize);
            }
        }
        return settle();
    }

    /**
     * Encrypts as much of {@code plaintextIn} as fits in {@link #ciphertext()} without growing it
     * (its position advances past what was taken). Takes nothing before the handshake is done or
     * after close.
     */
    public State send(ByteBuffer plaintextIn) {
        begin();
        drive(held.bytes());
        while (failure == null && handshakeDone && plaintextIn.hasRemaining() && !engine.isOutboundDone()
                && ciphertext.hasRoom(packetSize)) {
            SSLEngineResult result;
            try {
                result = engine.wrap(plaintextIn, ciphertext.beginWrite());
            } catch (SSLException e) {
                ciphertext.endWrite();
                fail(e);
                break;
            }
            ciphertext.endWrite();
            HandshakeStatus status = result.getHandshakeStatus();
            if (status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED) {
                drive(held.bytes()); // a key update or renegotiation to answer
            }
            if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() == 0) {
                break;
            }
        }
        return settle();
    }

    /**
     * After the caller took bytes from {@link #plaintext()} or {@link #ciphertext()}: gives back
     * emptied buffers and unwraps held records into the room made.
     */
    public State resume() {
        if (started) {
            drive(held.bytes());
        }
        return settle();
    }

    /**
     * Sends close_notify (into {@link #ciphertext()}); nothing can be sent after it. Before
     * {@link #start} there is no peer to tell: the engine is just closed.
     */
    public State close() {
        if (!started) {
            started = true;
            engine.closeOutbound();
        } else if (failure == null && !engine.isOutboundDone()) {
            engine.closeOutbound();
            drive(held.bytes());
        }
        return settle();
    }

    /**
     * The socket reached end of stream. Fine after the peer's close_notify; otherwise the
     * connection was cut short: {@link TlsFailure.Reason#TRUNCATED}.
     */
    public State endOfInput() {
        if (failure == null && !engine.isInboundDone()) {
            try {
                engine.closeInbound();
            } catch (SSLException e) {
                fail(e);
            }
            if (failure == null && !handshakeDone) {
                // The engine lets a peer that never got far go quietly; a handshake cut off is still cut off.
                failure = new TlsFailure(TlsFailure.Reason.TRUNCATED, false, "end of stream during the handshake");
                held.release();
                plaintext.release();
            }
        }
        return settle();
    }

    /** Decrypted bytes for the application, read mode; valid until the next call. */
    public ByteBuffer plaintext() {
        return plaintext.bytes();
    }

    /** Encrypted bytes for the socket, read mode; valid until the next call. */
    public ByteBuffer ciphertext() {
        return ciphertext.bytes();
    }

    public State state() {
        if (failure != null) {
            return State.FAILED;
        }
        boolean inboundDone = engine.isInboundDone();
        boolean outboundDone = engine.isOutboundDone();
        if (inboundDone && outboundDone) {
            return State.CLOSED;
        }
        if (inboundDone) {
            return State.PEER_CLOSED;
        }
        if (outboundDone) {
            return State.CLOSING;
        }
        return handshakeDone ? State.OPEN : State.HANDSHAKING;
    }

    /**
     * What the handshake agreed on, read afresh from the engine's session at each call (so an
     * idle connection holds it once, in the session, not a second time here); null until the
     * handshake is done.
     */
    public Handshake handshake() {
        return handshakeDone ? Handshake.of(engine) : null;
    }

    /** Whether the handshake is done (even if the connection has failed or closed since). */
    public boolean isHandshakeDone() {
        return handshakeDone;
    }

    /** Why the connection failed; null unless {@link State#FAILED}. */
    public TlsFailure failure() {
        return failure;
    }

    /** The connection is over: gives every borrowed buffer back, whatever it still holds. */
    public void discard() {
        held.release();
        plaintext.release();
        ciphertext.release();
    }

    /** Buffers borrowed and not yet given back: 0 to 3. */
    public int borrowedBuffers() {
        return (held.isBorrowed() ? 1 : 0) + (plaintext.isBorrowed() ? 1 : 0) + (ciphertext.isBorrowed() ? 1 : 0);
    }

    private void begin() {
        if (started) {
            return;
        }
        started = true;
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            fail(e);
            return;
        }
        drive(EMPTY);
    }

    /**
     * Runs the engine as far as it goes: delegated tasks, handshake wraps (growing the ciphertext
     * buffer as a flight needs), and unwraps from {@code source} until it is used up, holds only
     * part of a record, or the plaintext buffer is full.
     */
    private void drive(ByteBuffer source) {
        while (failure == null) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                if (runTasks()) {
                    continue;
                }
                break;
            }
            if (status == HandshakeStatus.NEED_WRAP) {
                if (wrapHandshake()) {
                    continue;
                }
                break;
            }
            if (!source.hasRemaining() || engine.isInboundDone()) {
                break;
            }
            if (!unwrap(source)) {
                HandshakeStatus after = engine.getHandshakeStatus();
                if (failure == null && (after == HandshakeStatus.NEED_WRAP || after == HandshakeStatus.NEED_TASK)) {
                    continue;
                }
                break;
            }
        }
        // The engine reports FINISHED once, from whichever call ends the handshake; this catches
        // an end reported to a call that had nothing else to say.
        if (!handshakeDone && failure == null && started && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && !engine.isInboundDone() && !engine.isOutboundDone()) {
            handshakeDone = true;
        }
    }

    /** One unwrap; whether it moved anything. */
    private boolean unwrap(ByteBuffer source) {
        if (!holdsWholeRecord(source)) {
            return false; // what the engine would say (BUFFER_UNDERFLOW), without borrowing or calling it
        }
        plaintext.hasRoom(applicationSize); // borrows the buffer if none is held
        SSLEngineResult result;
        try {
            result = engine.unwrap(source, plaintext.beginWrite());
        } catch (SSLException e) {
            plaintext.endWrite();
            fail(e);
            return false;
        }
        plaintext.endWrite();
        noteFinished(result);
        switch (result.getStatus()) {
            case OK:
                return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
            case CLOSED:
                return result.bytesConsumed() > 0;
            case BUFFER_OVERFLOW:
                if (plaintext.hasBytes()) {
                    return false; // the application has not taken what is there: wait
                }
                // Empty and still too small: a larger fragment than announced was allowed.
                int larger = Math.max(plaintext.capacity() * 2, engine.getSession().getApplicationBufferSize());
                plaintext.release();
                plaintext.hasRoom(larger);
                return true;
            case BUFFER_UNDERFLOW:
            default:
                return false;
        }
    }

    /**
     * Whether {@code source} starts with a whole TLS record (RFC 8446 section 5.1: type 20 to 24,
     * version 3.x, 16-bit length, then the fragment), or with something else the engine must judge.
     * Fed a byte at a time, this keeps a partial record from costing an engine call each time.
     */
    private static boolean holdsWholeRecord(ByteBuffer source) {
        int at = source.position();
        int available = source.remaining();
        if (available == 0) {
            return false;
        }
        int type = source.get(at) & 0xFF;
        if (type < 20 || type > 24 || available >= 2 && source.get(at + 1) != 3) {
            return true; // not a TLS record header: let the engine say what it is
        }
        if (available < 5) {
            return false;
        }
        int length = (source.get(at + 3) & 0xFF) << 8 | source.get(at + 4) & 0xFF;
        return available >= 5 + length;
    }

    /** One wrap with nothing from the application: handshake messages, alerts, close_notify. */
    private boolean wrapHandshake() {
        ciphertext.makeRoom(packetSize);
        SSLEngineResult result;
        try {
            result = engine.wrap(EMPTY, ciphertext.beginWrite());
        } catch (SSLException e) {
            ciphertext.endWrite();
            fail(e);
            return false;
        }
        ciphertext.endWrite();
        noteFinished(result);
        return result.bytesProduced() > 0 || result.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
    }

    private boolean runTasks() {
        boolean ran = false;
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
            ran = true;
        }
        return ran;
    }

    private void noteFinished(SSLEngineResult result) {
        if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeDone = true;
        }
    }

    /**
     * Records the failure and wraps the alert the engine queued for the peer. What was held or
     * decrypted is dropped: nothing from a failed connection reaches the application.
     */
    private void fail(SSLException e) {
        if (failure != null) {
            return;
        }
        failure = TlsFailure.of(e);
        for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
            ciphertext.makeRoom(packetSize);
            SSLEngineResult result;
            try {
                result = engine.wrap(EMPTY, ciphertext.beginWrite());
            } catch (SSLException again) {
                ciphertext.endWrite();
                break;
            }
            ciphertext.endWrite();
            if (result.bytesProduced() == 0) {
                break;
            }
        }
        held.release();
        plaintext.release();
    }

    /** Gives back every buffer that holds nothing, and held ciphertext nobody will read. */
    private State settle() {
        if (failure != null || engine.isInboundDone()) {
            held.release();
        }
        held.releaseIfEmpty();
        plaintext.releaseIfEmpty();
        ciphertext.releaseIfEmpty();
        return state();
    }
}
