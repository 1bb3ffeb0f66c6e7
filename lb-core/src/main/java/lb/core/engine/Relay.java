package lb.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import lb.core.buffer.BufferPool;
import lb.core.model.PacketFraming;

/**
 * Moves bytes one way, source to sink, with back-pressure. Owned by its tunnel's loop.
 *
 * <p>Reads land in the loop's shared read buffer and are written straight to the sink. Only a
 * partial write borrows a pooled buffer for the rest ({@link #pending}); while it holds one the
 * relay reads nothing more from the source, so a direction never has more than one buffer of
 * bytes in flight. The buffer goes back to the pool the moment it drains. When the source ends,
 * the end is passed on ({@code shutdownOutput}) once everything before it has been written.
 *
 * <p>When the client's end is TLS ({@link TlsEnd}), it stands in for the client socket on
 * the same side: the relay reads plaintext from it and writes plaintext to it. Its decrypted
 * bytes may wait without the socket being readable again, so the relay reads on while any do.
 *
 * <p>When the tunnel's packets frame (a {@link PacketFraming}, passed in by the tunnel), every
 * byte read goes through it before it is written, and {@link #frameState} says where the current
 * packet ends: one {@code int}, nothing held. To end between two packets the relay reads only
 * up to the current packet's end ({@link #ending} {@code TO_BOUNDARY}), then sends a farewell
 * packet and the end of its output ({@link #finish}), then reads what the source still sends and
 * drops it ({@code DISCARDING}) until the source ends ({@code DRAINED}), so closing resets
 * nothing the peer has not read.
 */
final class Relay {
    /** What went wrong, if anything: which side's socket failed, or bytes that do not frame. */
    enum Outcome { OK, SOURCE_FAILED, SINK_FAILED, MALFORMED }

    /** {@link #ending}: forwarding as usual. */
    static final byte FORWARDING = 0;
    /** {@link #ending}: forwarding the rest of the current packet, nothing after it. */
    static final byte TO_BOUNDARY = 1;
    /** {@link #ending}: the farewell and the end were sent; what the source sends is dropped. */
    static final byte DISCARDING = 2;
    /** {@link #ending}: the source has ended too; nothing more will come this way. */
    static final byte DRAINED = 3;

    /** Reads per readiness event when each fills the buffer: enough for bulk, fair to others. */
    private static final int READS_PER_EVENT = 4;

    SocketChannel source;
    SocketChannel sink;
    /** The client's TLS end when it is this relay's source (client to server), else null. */
    TlsEnd tlsSource;
    /** The client's TLS end when it is this relay's sink (server to client), else null. */
    TlsEnd tlsSink;
    /** Unsent bytes, ready to write (position..limit); null when nothing is pending. */
    ByteBuffer pending;
    /**
     * True while {@link #pending} came from the pool; otherwise it holds a client's inspected
     * first bytes, whose whole capacity is charged to the memory budget.
     */
    boolean pendingPooled;
    boolean sourceEnded;
    boolean sinkShut;
    long bytes;
    /** Last time bytes moved on this relay's source side (read) or sink side (write). */
    long lastSourceActivityNs;
    long lastSinkActivityNs;
    /**
     * Where the current packet ends, when the tunnel's packets frame; else unused. With the
     * failure kept by the loop rather than here, a relay stays within 64 bytes of heap.
     */
    int frameState;
    /** How far the tunnel's end has come on this side: {@link #FORWARDING} until it ends cleanly. */
    byte ending;

    boolean wantsRead() {
        return !sourceEnded && pending == null && !(ending == TO_BOUNDARY && frameState == PacketFraming.BOUNDARY);
    }

    /** Everything read was written, and it ended a packet: the place for a packet of our own. */
    boolean isAtBoundary() {
        return pending == null && frameState == PacketFraming.BOUNDARY;
    }

    boolean hasPending() {
        return pending != null;
    }

    /** True once the source ended and the end was passed on. */
    boolean isDone() {
        return sinkShut;
    }

    /**
     * Relays what the source has; {@code framing} is the tunnel's, or null when bytes are not
     * framed. A failure's exception is left in {@code loop.relayFailure}.
     */
    Outcome onReadable(EventLoop loop, long nowNs, PacketFraming framing) {
        ByteBuffer scratch = loop.readBuffer;
        BufferPool pool = loop.pool;
        for (int i = 0; i < READS_PER_EVENT || hasBufferedInput(); i++) {
            scratch.clear();
            if (ending == TO_BOUNDARY) {
                if (frameState == PacketFraming.BOUNDARY) {
                    return Outcome.OK; // the rest belongs after the farewell: not ours to send
                }
                scratch.limit(Math.min(scratch.capacity(), framing.bytesToBoundary(frameState)));
            }
            int n;
            try {
                n = tlsSource != null ? tlsSource.read(scratch) : source.read(scratch);
            } catch (IOException e) {
                loop.relayFailure = e;
                return Outcome.SOURCE_FAILED;
            }
            if (n < 0) {
                sourceEnded = true;
                return passEndOn(loop);
            }
            if (n == 0) {
                return Outcome.OK;
            }
            bytes += n;
            lastSourceActivityNs = nowNs;
            scratch.flip();
            if (framing != null) {
                frameState = framing.advance(frameState, scratch);
                if (frameState < 0) {
                    return Outcome.MALFORMED;
                }
            }
            try {
                writeSink(scratch);
            } catch (IOException e) {
                loop.relayFailure = e;
                return Outcome.SINK_FAILED;
            }
            if (scratch.hasRemaining()) {
                if (scratch.position() > 0) {
                    lastSinkActivityNs = nowNs;
                }
                pending = pool.take().put(scratch).flip();
                pendingPooled = true;
                return Outcome.OK;
            }
            lastSinkActivityNs = nowNs;
            if ((n < scratch.capacity() && !hasBufferedInput()) || ending == TO_BOUNDARY) {
                return Outcome.OK; // ending: the tunnel looks at the boundary before any more reads
            }
        }
        return Outcome.OK;
    }

    /**
     * Ends this direction at a packet boundary (call it there, with nothing pending): writes
     * {@code farewell} (if any; a partial write keeps the rest in a pooled buffer), then ends
     * the sink's output once it is out. From then on the source is only drained.
     */
    Outcome finish(ByteBuffer farewell, EventLoop loop, long nowNs) {
        ending = DISCARDING;
        sourceEnded = true; // nothing more is relayed: the end follows the farewell
        if (farewell != null && farewell.hasRemaining()) {
            try {
                writeSink(farewell);
            } catch (IOException e) {
                loop.relayFailure = e;
                return Outcome.SINK_FAILED;
            }
            lastSinkActivityNs = nowNs;
            if (farewell.hasRemaining()) {
                pending = loop.pool.take().put(farewell).flip();
                pendingPooled = true;
                return Outcome.OK;
            }
        }
        return passEndOn(loop);
    }

    /**
     * Reads and drops what the source sends after this direction finished, until it ends
     * ({@link #DRAINED}); at most a few reads per call.
     */
    Outcome discard(ByteBuffer scratch) {
        for (int i = 0; i < READS_PER_EVENT || hasBufferedInput(); i++) {
            scratch.clear();
            int n;
            try {
                n = tlsSource != null ? tlsSource.read(scratch) : source.read(scratch);
            } catch (IOException e) {
                ending = DRAINED; // gone: nothing left to wait for
                return Outcome.OK;
            }
            if (n < 0) {
                ending = DRAINED;
                return Outcome.OK;
            }
            if (n == 0) {
                return Outcome.OK;
            }
        }
        return Outcome.OK;
    }

    /**
     * The source has something to read now, whatever the socket says: decrypted bytes, or the
     * end its close_notify announced (which may have come with the last bytes, and the socket
     * may stay open after it).
     */
    boolean hasBufferedInput() {
        return tlsSource != null && !sourceEnded && (tlsSource.hasBufferedInput() || tlsSource.isInputDone());
    }

    private int writeSink(ByteBuffer bytesOut) throws IOException {
        return tlsSink != null ? tlsSink.write(bytesOut) : sink.write(bytesOut);
    }

    /**
     * Writes what is pending; when it has all gone and the source holds decrypted bytes that no
     * readiness event will announce, relays those at once.
     */
    Outcome onWritable(EventLoop loop, long nowNs, PacketFraming framing) {
        try {
            if (writeSink(pending) > 0) {
                lastSinkActivityNs = nowNs;
            }
        } catch (IOException e) {
            loop.relayFailure = e;
            return Outcome.SINK_FAILED;
        }
        if (pending.hasRemaining()) {
            return Outcome.OK;
        }
        releasePending(loop.pool);
        if (sourceEnded) {
            return passEndOn(loop);
        }
        return hasBufferedInput() && wantsRead() ? onReadable(loop, nowNs, framing) : Outcome.OK;
    }

    /**
     * One last write of what is pending, without waiting, for a peer that may still read it
     * (the tunnel is closing for another reason); failures are ignored: the sink is gone too.
     */
    void flushOnce() {
        if (sinkShut) {
            return;
        }
        try {
            if (pending != null && sink != null) {
                writeSink(pending);
            }
            if (tlsSink != null) {
                tlsSink.flush();
            }
        } catch (IOException e) {
            // nothing to save
        }
    }

    /**
     * Hands {@code bytes} (a client's inspected first bytes) to be written first; their
     * capacity goes back to the memory budget when they are written.
     */
    void setPending(ByteBuffer bytesToSend) {
        pending = bytesToSend;
        pendingPooled = false;
    }

    void releasePending(BufferPool pool) {
        if (pending != null) {
            if (pendingPooled) {
                pool.give(pending);
            } else {
                pool.budget().release(pending.capacity());
            }
            pending = null;
            pendingPooled = false;
        }
    }

    private Outcome passEndOn(EventLoop loop) {
        if (pending != null || sinkShut) {
            return Outcome.OK;
        }
        sinkShut = true;
        try {
            if (tlsSink != null) {
                tlsSink.shutdownOutput();
            } else {
                sink.shutdownOutput();
            }
        } catch (IOException e) {
            loop.relayFailure = e;
            return Outcome.SINK_FAILED;
        }
        return Outcome.OK;
    }
}
