package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/** A server that stops reading stops the client, not the balancer's memory. */
class BackPressureTest {
    private static final long BLAST = 200L * 1024 * 1024;
    private static final int BUFFER = 16 * 1024;

    @Test
    void aStalledServerHoldsTheClientBackWithAtMostOneBufferInFlight() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (FakeServer sink = FakeServer.start("sink", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(null, g -> g.bufferSize(BUFFER),
                     b -> b.server("sink", sink.address()), f -> { });
             Socket client = Clients.connect(Balancers.address(lb))) {
            Await.equal(1, Duration.ofSeconds(5), sink::openConnections);
            sink.reading(false);
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();

            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> blast = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = client.getOutputStream();
                    while (written.get() < BLAST) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(1_500);
            long stalledAt = written.get();
            Thread.sleep(500);
            assertEquals(stalledAt, written.get(), "the client is blocked: nothing moves while the server stalls");
            assertTrue(stalledAt < BLAST / 10, "only socket buffers' worth got out: " + stalledAt);
            assertTrue(EngineAccess.loops(lb).buffersInUse() <= 1,
                    "in flight in the balancer: at most one buffer (" + BUFFER + " bytes) for the one direction");

            sink.reading(true);
            blast.get(120, TimeUnit.SECONDS);
            Await.equal(BLAST, Duration.ofSeconds(60), sink::bytesReceived);
            client.close();
            Await.equal(0, Duration.ofSeconds(5), () -> EngineAccess.loops(lb).tunnelCount());
            assertEquals(0, EngineAccess.loops(lb).buffersInUse());
            System.gc();
            long heapGrowth = memory.getHeapMemoryUsage().getUsed() - heapBefore;
            assertTrue(heapGrowth < 32L * 1024 * 1024, "heap did not grow with the 200 MiB: grew " + heapGrowth);
        }
    }
}
