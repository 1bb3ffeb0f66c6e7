package lb.core.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

import javax.net.ssl.SSLEngine;

/**
 * A client layer and a server layer wired back to back in memory, as two event loops would drive
 * them over a socket pair: ciphertext is delivered in chunks through one shared read buffer that
 * is scribbled over after each delivery (so a layer keeping a reference to it would break), and
 * plaintext is drained into per-side sinks, possibly a little at a time.
 */
final class TlsPair {
    final CountingBuffers clientBuffers = new CountingBuffers();
    final CountingBuffers serverBuffers = new CountingBuffers();
    final TlsLayer client;
    final TlsLayer server;
    /** What each side's application received. */
    final ByteArrayOutputStream toClientApp = new ByteArrayOutputStream();
    final ByteArrayOutputStream toServerApp = new ByteArrayOutputStream();

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final Random random;
    private final int maxChunk;
    private final int maxDrain;

    /** Whole deliveries: every chunk as large as the read buffer, plaintext drained at once. */
    TlsPair(SSLEngine client, SSLEngine server) {
        this(client, server, new Random(0), Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** Ciphertext delivered in chunks of 1 to {@code maxChunk} bytes; plaintext drained 1 to {@code maxDrain} at a time. */
    TlsPair(SSLEngine client, SSLEngine server, Random random, int maxChunk, int maxDrain) {
        this.client = new TlsLayer(client, clientBuffers);
        this.server = new TlsLayer(server, serverBuffers);
        this.random = random;
        this.maxChunk = Math.min(maxChunk, readBuffer.capacity());
        this.maxDrain = maxDrain;
    }

    /** Starts both and moves bytes until neither side has anything to deliver. */
    TlsPair handshake() {
        server.start();
        client.start();
        pump();
        return this;
    }

    /** Moves ciphertext both ways and drains plaintext until nothing moves. */
    void pump() {
        for (int rounds = 0; rounds < 1_000_000; rounds++) {
            boolean moved = deliver(client, server, toServerApp);
            moved |= deliver(server, client, toClientApp);
            moved |= drain(client, toClientApp);
            moved |= drain(server, toServerApp);
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("still pumping after a million rounds");
    }

    /** Sends all of {@code data} from {@code from}, pumping whenever its ciphertext buffer is full. */
    void send(TlsLayer from, byte[] data) {
        ByteBuffer source = ByteBuffer.wrap(data);
        while (source.hasRemaining()) {
            int before = source.remaining();
            from.send(source);
            pump();
            if (source.remaining() == before && from.ciphertext().remaining() == 0 && from.state() != TlsLayer.State.OPEN
                    && from.state() != TlsLayer.State.PEER_CLOSED) {
                throw new AssertionError("cannot send in state " + from.state() + " " + from.failure());
            }
        }
    }

    private boolean deliver(TlsLayer from, TlsLayer to, ByteArrayOutputStream sink) {
        ByteBuffer out = from.ciphertext();
        if (!out.hasRemaining()) {
            return false;
        }
        while (out.hasRemaining()) {
            int n = Math.min(out.remaining(), maxChunk == Integer.MAX_VALUE ? out.remaining() : 1 + random.nextInt(maxChunk));
            readBuffer.clear();
            ByteBuffer slice = out.duplicate();
            slice.limit(slice.position() + n);
            readBuffer.put(slice).flip();
            out.position(out.position() + n);
            to.receive(readBuffer);
            if (readBuffer.hasRemaining()) {
                throw new AssertionError("receive left " + readBuffer.remaining() + " bytes");
            }
            scribble(n);
            if (maxDrain == Integer.MAX_VALUE || random.nextBoolean()) {
                drain(to, sink); // else the application is slow: more ciphertext arrives before it reads
            }
        }
        from.resume();
        return true;
    }

    /** Hands plaintext to the application, in small bites when {@code maxDrain} says so. */
    private boolean drain(TlsLayer layer, ByteArrayOutputStream sink) {
        boolean moved = false;
        while (layer.plaintext().hasRemaining()) {
            ByteBuffer plain = layer.plaintext();
            int n = Math.min(plain.remaining(), maxDrain == Integer.MAX_VALUE ? plain.remaining() : 1 + random.nextInt(maxDrain));
            byte[] bytes = new byte[n];
            plain.get(bytes);
            sink.writeBytes(bytes);
            layer.resume();
            moved = true;
        }
        return moved;
    }

    /** Overwrites the bytes just delivered, as the next read into a shared buffer would. */
    private void scribble(int n) {
        readBuffer.clear();
        for (int i = 0; i < n; i++) {
            readBuffer.put(i, (byte) 0xA5);
        }
    }
}
