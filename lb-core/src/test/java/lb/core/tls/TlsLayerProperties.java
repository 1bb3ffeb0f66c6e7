package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import lb.core.tls.TlsLayer.State;

/**
 * However ciphertext is chunked on its way and however slowly each application reads, a MiB each
 * way arrives byte-exact, both sides close cleanly, and nothing stays borrowed.
 */
class TlsLayerProperties {
    private static final ServerEngines SERVER = new ServerEngines(TlsSettings.of(TestKeys.BROKER, TestKeys.DEVICES)
            .withApplicationProtocols("mqtt"));
    private static final UpstreamEngines CLIENT = new UpstreamEngines(UpstreamTlsSettings.trusting(TestKeys.CA)
            .withApplicationProtocols("mqtt"));
    private static final int MIB = 1 << 20;

    @Property(tries = 8)
    void aMebibyteEachWayArrivesByteExactUnderAnyChunking(@ForAll long seed,
                                                          @ForAll @IntRange(min = 1, max = 40_000) int maxChunk,
                                                          @ForAll @IntRange(min = 1, max = 40_000) int maxDrain,
                                                          @ForAll boolean tls12) {
        Random random = new Random(seed);
        UpstreamEngines clients = tls12 ? new UpstreamEngines(CLIENT.settings().withProtocols("TLSv1.2")) : CLIENT;
        TlsPair pair = new TlsPair(clients.newEngine("broker.example.com", 8883), SERVER.newEngine(), random, maxChunk, maxDrain)
                .handshake();
        assertEquals(State.OPEN, pair.server.state(), String.valueOf(pair.server.failure()));

        byte[] up = new byte[MIB];
        byte[] down = new byte[MIB];
        random.nextBytes(up);
        random.nextBytes(down);
        ByteBuffer upLeft = ByteBuffer.wrap(up);
        ByteBuffer downLeft = ByteBuffer.wrap(down);
        while (upLeft.hasRemaining() || downLeft.hasRemaining()) {
            sendSome(pair.client, upLeft, random);
            sendSome(pair.server, downLeft, random);
            pair.pump();
        }

        assertArrayEquals(up, pair.toServerApp.toByteArray());
        assertArrayEquals(down, pair.toClientApp.toByteArray());
        assertEquals(0, pair.client.borrowedBuffers() + pair.server.borrowedBuffers());
        pair.client.close();
        pair.pump();
        pair.server.close();
        pair.pump();
        assertEquals(State.CLOSED, pair.client.state());
        assertEquals(State.CLOSED, pair.server.state());
        assertEquals(0, pair.clientBuffers.outstanding() + pair.serverBuffers.outstanding());
    }

    /** Offers the layer a random-sized piece of what is left, as an application writing in bursts. */
    private static void sendSome(TlsLayer layer, ByteBuffer left, Random random) {
        if (!left.hasRemaining()) {
            return;
        }
        int n = Math.min(left.remaining(), 1 + random.nextInt(50_000));
        ByteBuffer piece = left.slice().limit(n);
        layer.send(piece);
        left.position(left.position() + piece.position());
    }
}
