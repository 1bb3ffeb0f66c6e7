package lb.core.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import lb.core.buffer.BufferPool;

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
 */
final class Relay {
    /** What went wrong, if anything: which side's socket failed. */
    enum Outcome { OK, SOURCE_FAILED, SINK_FAILED }

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
    IOException failure;

    boolean wantsRead() {
        return !sourceEnded && pending == null;
    }

    boolean hasPending() {
        return pending != null;
    }

    /** True once the source ended and the end was passed on. */
    boolean isDone() {
        return sinkShut;
    }

    Outcome onReadable(ByteBuffer scratch, BufferPool pool, long nowNs) {
        for (int i = 0; i < READS_PER_EVENT || hasBufferedInput(); i++) {
            scratch.clear();
            int n;
            try {
                n = tlsSource != null ? tlsSource.read(scratch) : source.read(scratch);
            } catch (IOException e) {
                failure = e;
                return Outcome.SOURCE_FAILED;
            }
            if (n < 0) {
                sourceEnded = true;
                return passEndOn();
            }
            if (n == 0) {
                return Outcome.OK;
            }
            bytes += n;
            lastSourceActivityNs = nowNs;
            scratch.flip();
            try {
                writeSink(scratch);
            } catch (IOException e) {
                failure = e;
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
            if (n < scratch.capacity() && !hasBufferedInput()) {
                return Outcome.OK;
            }
        }
        return Outcome.OK;
    }

    /** Decrypted bytes wait in the source: readable now, whatever the socket says. */
    boolean hasBufferedInput() {
        return tlsSource != null && tlsSource.hasBufferedInput();
    }

    private int writeSink(ByteBuffer bytesOut) throws IOException {
        return tlsSink != null ? tlsSink.write(bytesOut) : sink.write(bytesOut);
    }

    /**
     * Writes what is pending; when it has all gone and the source holds decrypted bytes that no
     * readiness event will announce, relays those at once.
     */
    Outcome onWritable(ByteBuffer scratch, BufferPool pool, long nowNs) {
        try {
            if (writeSink(pending) > 0) {
                lastSinkActivityNs = nowNs;
            }
        } catch (IOException e) {
            failure = e;
            return Outcome.SINK_FAILED;
        }
        if (pending.hasRemaining()) {
            return Outcome.OK;
        }
        releasePending(pool);
        if (sourceEnded) {
            return passEndOn();
        }
        return hasBufferedInput() ? onReadable(scratch, pool, nowNs) : Outcome.OK;
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

    private Outcome passEndOn() {
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
            failure = e;
            return Outcome.SINK_FAILED;
        }
        return Outcome.OK;
    }
}
