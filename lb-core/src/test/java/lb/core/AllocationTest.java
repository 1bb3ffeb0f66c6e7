package lb.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;
import lb.core.testing.LoopThreads;

/** Forwarding makes no garbage: the loops allocate (almost) nothing per message. */
class AllocationTest {
    private static final int CONNECTIONS = 10;
    private static final int MESSAGES = 100_000;
    private static final int WARMUP = 20_000;

    @Test
    void loopThreadsAllocateUnder64BytesPerForwardedMessage() throws Exception {
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()))) {
            InetSocketAddress at = Balancers.address(lb);
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(Clients.connect(at));
            }
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            try {
                pingPong(pool, clients, WARMUP);
                long before = LoopThreads.allocatedBytes(lb);
                pingPong(pool, clients, MESSAGES);
                long allocated = LoopThreads.allocatedBytes(lb) - before;
                // each request and each reply is a forwarded message
                double perMessage = (double) allocated / (2.0 * MESSAGES);
                System.out.printf("loop threads allocated %d bytes over %d forwarded messages: %.2f B/message%n",
                        allocated, 2 * MESSAGES, perMessage);
                assertTrue(perMessage < 64, "allocated " + perMessage + " bytes per message");
            } finally {
                pool.shutdownNow();
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }

    /** {@code total} request/reply round trips of 100 bytes, spread over the connections. */
    private static void pingPong(ExecutorService pool, List<Socket> clients, int total) throws Exception {
        List<Future<?>> runs = new ArrayList<>();
        for (Socket c : clients) {
            runs.add(pool.submit(() -> {
                byte[] msg = new byte[100];
                OutputStream out = c.getOutputStream();
                InputStream in = c.getInputStream();
                for (int i = 0; i < total / clients.size(); i++) {
                    msg[0] = (byte) i;
                    out.write(msg);
                    Clients.readExactly(in, msg.length);
                }
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get(5, TimeUnit.MINUTES);
        }
    }
}
