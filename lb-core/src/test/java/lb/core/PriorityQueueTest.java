package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import lb.core.config.PriorityRule;
import lb.core.stats.PriorityClassStats;
import lb.core.stats.QueueStats;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.LineKey;

/**
 * 2,000 clients of two priority classes queue for a server with four slots, which the test
 * frees one at a time at a fixed rate: the high class leaves the queue first, the low class
 * still gets every fifth slot meanwhile (the default burst of 4), and the stats show each
 * class's waits.
 */
class PriorityQueueTest {
    private static final int CLIENTS = 2_000;
    private static final int SLOTS = 4;
    private static final long FREE_EVERY_NS = 1_000_000L;

    @Test
    void theHighClassIsServedFirstAndTheLowClassStillGetsItsShare() throws Exception {
        List<Socket> clients = new ArrayList<>(CLIENTS);
        try (Upstream upstream = new Upstream();
             LoadBalancer lb = Balancers.start(null,
                     b -> b.server("slow", upstream.address(), o -> o.maxConnections(SLOTS))
                             .maxQueue(CLIENTS).queueTimeout(Duration.ofSeconds(60)),
                     f -> f.keyExtractor(new LineKey()).priority(PriorityRule.priority(1).keyMatching("hi-.*")))) {
            InetSocketAddress address = Balancers.address(lb);
            for (int i = 0; i < CLIENTS; i++) {
                Socket c = Clients.connect(address);
                c.getOutputStream().write(Clients.ascii((i % 2 == 0 ? "lo-" : "hi-") + i + "\n"));
                clients.add(c);
            }
            Await.equal(CLIENTS - SLOTS, Duration.ofSeconds(20), () -> lb.stats().backend("b").queue().queued());
            List<String> initial = List.copyOf(upstream.served);

            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(30).toNanos();
            long next = start;
            while (upstream.served.size() < CLIENTS && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(next - System.nanoTime());
                next += FREE_EVERY_NS;
                upstream.freeOne();
            }
            long drainMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(CLIENTS, upstream.served.size(), "all served within 30 s");

            List<String> fromQueue = upstream.served.subList(initial.size(), CLIENTS);
            int highs = 0;
            for (String key : initial) {
                highs += key.startsWith("hi-") ? 1 : 0;
            }
            int highsQueued = CLIENTS / 2 - highs;
            int lastHigh = 0;
            int lowsBeforeLastHigh = 0;
            for (int i = 0; i < fromQueue.size(); i++) {
                if (fromQueue.get(i).startsWith("hi-")) {
                    lastHigh = i;
                }
            }
            for (int i = 0; i < lastHigh; i++) {
                lowsBeforeLastHigh += fromQueue.get(i).startsWith("lo-") ? 1 : 0;
            }
            double lowShare = lowsBeforeLastHigh / (double) (lastHigh + 1);
            QueueStats q = lb.stats().backend("b").queue();
            PriorityClassStats high = q.priorityClass(1);
            PriorityClassStats low = q.priorityClass(0);
            System.out.printf("priority: %d clients drained in %d ms; the last high left at position %d of %d,"
                            + " %d low ones before it (share %.3f); waits high mean %d ms max %d ms,"
                            + " low mean %d ms max %d ms%n", fromQueue.size(), drainMs, lastHigh + 1, fromQueue.size(),
                    lowsBeforeLastHigh, lowShare, high.meanWaitNanos() / 1_000_000, high.maxWaitNanos() / 1_000_000,
                    low.meanWaitNanos() / 1_000_000, low.maxWaitNanos() / 1_000_000);

            // 4 high, 1 low while both wait: the highs are out after about 5/4 of their number.
            assertTrue(lastHigh + 1 <= highsQueued * 5 / 4 + 50, "last high at " + (lastHigh + 1));
            assertTrue(lowShare > 0.15 && lowShare < 0.25, "low share while both waited: " + lowShare);
            assertEquals(CLIENTS / 2, high.tunnels());
            assertEquals(CLIENTS / 2, low.tunnels());
            assertEquals(high.tunnels() + low.tunnels() - SLOTS, high.dequeued() + low.dequeued(),
                    "every queued one was let go");
            assertEquals(high.queuedTotal(), high.dequeued());
            assertEquals(0, high.timedOut() + low.timedOut());
            assertTrue(high.meanWaitNanos() < low.meanWaitNanos() * 3 / 4,
                    "high waits less: " + high.meanWaitNanos() + " vs " + low.meanWaitNanos());
            assertTrue(high.maxWaitNanos() < low.maxWaitNanos());
            assertEquals(4, q.priorityBurst());
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    /**
     * The server: records each tunnel's key in the order tunnels arrive and keeps the
     * connection until the test frees it, with a reset so the tunnel ends (and its slot frees) at once.
     */
    private static final class Upstream implements AutoCloseable {
        final List<String> served = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedDeque<Socket> open = new ConcurrentLinkedDeque<>();
        private final ServerSocket listener;
        private final Thread acceptor;

        Upstream() throws IOException {
            listener = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::run, "priority-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void run() {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    s.setSoTimeout(5_000);
                    String key = Clients.readLine(s.getInputStream());
                    open.add(s);
                    served.add(key);
                } catch (IOException e) {
                    return;
                }
            }
        }

        void freeOne() throws IOException {
            Socket s = open.pollFirst();
            if (s != null) {
                s.setSoLinger(true, 0);
                s.close();
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            Socket s;
            while ((s = open.poll()) != null) {
                s.close();
            }
        }
    }
}
