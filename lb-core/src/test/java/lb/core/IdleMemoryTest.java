package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * Idle tunnels hold no buffer. Heap per idle tunnel is measured against a baseline of the same
 * number of direct client-to-server connections in the same JVM, so the figure is the
 * balancer's own cost (its two sockets and its state), without the test's clients and server.
 */
class IdleMemoryTest {
    /** 4,000 tunnels = 16,000 descriptors with their clients and server sockets. */
    private static final int TUNNELS = 4_000;

    @Test
    void fourThousandIdleTunnelsHoldNoPooledBufferAndLittleHeap() throws Exception {
        try (FakeServer server = FakeServer.start("s", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(null, b -> b.server("s", server.address()))) {
            long direct = heapPerConnection(server.address(), server, 0) ;
            long heapBefore = usedHeapAfterGc();
            long directMemoryBefore = directMemory();
            List<Socket> clients = open(Balancers.address(lb), TUNNELS);
            Await.equal(TUNNELS, Duration.ofSeconds(30), server::openConnections);
            Await.equal(TUNNELS, Duration.ofSeconds(10), () -> EngineAccess.loops(lb).tunnelCount());
            long viaBalancer = (usedHeapAfterGc() - heapBefore) / TUNNELS;
            assertEquals(0, EngineAccess.loops(lb).buffersInUse(), "idle tunnels hold no pooled buffer");
            assertTrue(directMemory() - directMemoryBefore < 1024 * 1024, "no direct memory per tunnel");
            long perTunnel = viaBalancer - direct;
            System.out.printf("heap per idle tunnel: %d B (through the balancer %d B per client, direct %d B)%n",
                    perTunnel, viaBalancer, direct);
            assertTrue(perTunnel < 8 * 1024, "heap per idle tunnel " + perTunnel + " B");
            close(clients);
            Await.equal(0, Duration.ofSeconds(30), () -> EngineAccess.loops(lb).tunnelCount());
        }
    }

    /** Heap per connection for {@code count} (default TUNNELS) direct client-to-server connections. */
    private static long heapPerConnection(InetSocketAddress target, FakeServer server, int alreadyOpen)
            throws Exception {
        long before = usedHeapAfterGc();
        List<Socket> clients = open(target, TUNNELS);
        Await.equal(alreadyOpen + TUNNELS, Duration.ofSeconds(30), server::openConnections);
        long per = (usedHeapAfterGc() - before) / TUNNELS;
        close(clients);
        Await.equal(alreadyOpen, Duration.ofSeconds(30), server::openConnections);
        return per;
    }

    private static List<Socket> open(InetSocketAddress target, int n) {
        List<Socket> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            clients.add(Clients.connect(target));
        }
        return clients;
    }

    private static void close(List<Socket> clients) throws Exception {
        for (Socket c : clients) {
            c.close();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long directMemory() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }
}
