package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/** Twenty thousand short tunnels leave nothing behind: no descriptor, buffer, slot or tunnel. */
class ChurnTest {
    private static final int CYCLES = 20_000;
    private static final int THREADS = 4;

    @Test
    void manyShortTunnelsReturnDescriptorsBuffersAndCountersToBaseline() throws Exception {
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()))) {
            InetSocketAddress at = Balancers.address(lb);
            cycle(at, 100);
            Await.equal(0, Duration.ofSeconds(10), () -> EngineAccess.loops(lb).tunnelCount());
            Await.equal(0, Duration.ofSeconds(10), echo::openConnections);
            int fdsBefore = openDescriptors();

            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                runs.add(pool.submit(() -> {
                    cycle(at, CYCLES / THREADS);
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();

            Await.equal(0, Duration.ofSeconds(10), () -> EngineAccess.loops(lb).tunnelCount());
            Await.equal(0, Duration.ofSeconds(10), echo::openConnections);
            assertEquals(100 + CYCLES, echo.accepted());
            assertEquals(0, EngineAccess.loops(lb).buffersInUse(), "pool buffers in use");
            assertEquals(0, lb.frontend("f").connections(), "frontend slots");
            assertEquals(0, EngineAccess.loops(lb).limit().count(), "global slots");
            assertEquals(0, lb.backend("b").server("echo").connections(), "server slots");
            assertEquals(0, EngineAccess.live(lb.backend("b")).queue().size(), "queued tunnels");
            Await.until("descriptors back to " + fdsBefore, Duration.ofSeconds(10), () -> openDescriptors() <= fdsBefore);
        }
    }

    private static void cycle(InetSocketAddress at, int count) throws Exception {
        byte[] msg = Clients.ascii("0123456789abcdef0123456789abcdef");
        for (int i = 0; i < count; i++) {
            try (Socket s = Clients.connect(at)) {
                s.getOutputStream().write(msg);
                Clients.readExactly(s.getInputStream(), msg.length);
            }
        }
    }

    private static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
