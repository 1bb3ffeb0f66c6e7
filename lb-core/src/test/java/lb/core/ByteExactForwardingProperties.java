package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Provide;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * Whatever the size and however it is chunked, every byte arrives once and in order, both ways
 * (client to echo server, and back).
 */
class ByteExactForwardingProperties {
    private static FakeServer echo;
    private static LoadBalancer lb;
    private static ExecutorService writers;

    @BeforeContainer
    static void start() {
        echo = FakeServer.echo("echo");
        lb = Balancers.start(null, b -> b.server("echo", echo.address()));
        writers = Executors.newCachedThreadPool();
    }

    @AfterContainer
    static void stop() {
        writers.shutdownNow();
        lb.close();
        echo.close();
    }

    /** Sizes spread evenly over orders of magnitude, 1 B to 8 MiB, edges included. */
    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(0, 23)
                .flatMap(bits -> Arbitraries.integers().between(1 << bits, Math.min(8 << 20, 2 << bits)))
                .edgeCases(c -> c.includeOnly(1, 8 << 20));
    }

    @Property(tries = 40)
    void everyByteArrivesOnceAndInOrder(@ForAll("sizes") int size,
                                        @ForAll @IntRange(min = 1, max = 256 * 1024) int maxChunk,
                                        @ForAll @LongRange long seed) throws Exception {
        byte[] payload = new byte[size];
        Random random = new Random(seed);
        random.nextBytes(payload);
        try (Socket s = Clients.connect(Balancers.address(lb))) {
            OutputStream out = s.getOutputStream();
            Future<?> writing = writers.submit(() -> {
                Random chunks = new Random(seed ^ 0x5DEECE66DL);
                int off = 0;
                while (off < size) {
                    int n = Math.min(size - off, 1 + chunks.nextInt(maxChunk));
                    out.write(payload, off, n);
                    off += n;
                }
                s.shutdownOutput();
                return null;
            });
            InputStream in = s.getInputStream();
            byte[] back = in.readAllBytes();
            writing.get(60, TimeUnit.SECONDS);
            assertArrayEquals(payload, back);
        }
    }
}
