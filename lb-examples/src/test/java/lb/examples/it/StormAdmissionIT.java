package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.model.Termination;
import lb.core.testing.Await;
import lb.core.stats.ServerStats;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * A reconnect storm on a just-started broker behind a connect rate: every client of the storm
 * connects at once; the broker never sees more CONNECTs a second than the rate (counted at the
 * broker), and every client gets a CONNACK: accepted within the queue timeout, or "server
 * unavailable" (3.1.1's "server busy") when the wait ran out. None is dropped without one.
 */
@Timeout(60)
class StormAdmissionIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aStormIsAdmittedAtTheRateAndEveryClientIsAnswered() throws Exception {
        Outcome o = storm(1_200, 400, Duration.ofSeconds(10));
        assertEquals(Map.of(0, 1_200), o.connackCodes, "every client accepted within the queue timeout");
        assertTrue(o.maxPerSecond <= 400 * 1.05 + 10, "broker saw at most " + o.maxPerSecond + " CONNECTs in a second");
        assertTrue(o.tookMs >= 1_200 * 1000L / 400 * 9 / 10, "paced: " + o.tookMs + " ms");
        assertTrue(o.server.connectsDelayed() > 1_000, "counted: " + o.server.connectsDelayed());
    }

    @Test
    void clientsTheRateCannotAdmitWithinTheQueueTimeoutHearServerBusy() throws Exception {
        Outcome o = storm(600, 200, Duration.ofSeconds(1));
        int accepted = o.connackCodes.getOrDefault(0, 0);
        int busy = o.connackCodes.getOrDefault(3, 0);
        assertEquals(600, accepted + busy, "every client got a CONNACK: " + o.connackCodes);
        assertTrue(accepted >= 150 && accepted <= 260, "about a second's worth at 200 a second: " + accepted);
        assertTrue(o.maxPerSecond <= 200 * 1.05 + 10, "broker saw at most " + o.maxPerSecond);
        assertEquals(busy, o.queueTimeouts, "the refused are counted as queue timeouts");
    }

    private record Outcome(Map<Integer, Integer> connackCodes, double maxPerSecond, long tookMs, ServerStats server,
                           long queueTimeouts) {
    }

    private static Outcome storm(int clients, int perSecond, Duration queueTimeout) throws Exception {
        try (FakeBroker broker = new FakeBroker("restarted").start();
             LoadBalancer lb = LoadBalancer.builder()
                     .eventLoops(2)
                     .backend("brokers", b -> b.server("restarted", broker.address(), s -> s.maxConnectRate(perSecond))
                             .queueTimeout(queueTimeout))
                     .frontend("mqtt", f -> f.listen(new InetSocketAddress("127.0.0.1", 0))
                             .keyExtractor(Mqtt.connectInspector().withConnackReplies(true))
                             .backend("brokers"))
                     .build().start()) {
            InetSocketAddress at = lb.frontend("mqtt").boundAddresses().get(0);
            List<long[]> samples = new ArrayList<>();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    synchronized (samples) {
                        samples.add(new long[] {System.nanoTime(), broker.connectsAccepted()});
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "connect-sampler");
            sampler.start();
            long start = System.nanoTime();
            Map<Integer, Integer> codes = connectAll(at, clients);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            sampler.interrupt();
            sampler.join();
            int refused = clients - codes.getOrDefault(0, 0);
            // a refused client's tunnel is counted when it closes, after its CONNACK has lingered
            Await.until("the refusals counted", WAIT, () ->
                    lb.stats().backend("brokers").traffic().ends().count(Termination.QUEUE_TIMEOUT) >= refused);
            System.out.printf("storm: %d clients at %d/s, queue timeout %d ms: CONNACK codes %s, broker at most %.0f"
                    + " CONNECTs in a second, %d ms%n", clients, perSecond, queueTimeout.toMillis(), codes,
                    maxInAnySecond(samples), tookMs);
            return new Outcome(codes, maxInAnySecond(samples), tookMs, lb.stats().backend("brokers").server("restarted"),
                    lb.stats().backend("brokers").traffic().ends().count(Termination.QUEUE_TIMEOUT));
        }
    }

    /** The most CONNECTs the broker accepted within any one second, from samples 20 ms apart. */
    private static double maxInAnySecond(List<long[]> samples) {
        double max = 0;
        synchronized (samples) {
            int j = 0;
            for (int i = 0; i < samples.size(); i++) {
                while (samples.get(i)[0] - samples.get(j)[0] > 1_000_000_000L) {
                    j++;
                }
                max = Math.max(max, samples.get(i)[1] - samples.get(j)[1]);
            }
        }
        return max;
    }

    /** Connects every client at once (non-blocking, one thread) and collects each CONNACK's return code; -1 for none. */
    private static Map<Integer, Integer> connectAll(InetSocketAddress at, int clients) throws IOException {
        Map<Integer, Integer> codes = new TreeMap<>();
        try (Selector selector = Selector.open()) {
            List<SocketChannel> channels = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.connect(at);
                ch.register(selector, SelectionKey.OP_CONNECT, new Client(RawMqtt.connect("storm-" + i, RawMqtt.CLEAN_SESSION, 60)));
                channels.add(ch);
            }
            int done = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (done < clients && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    Client c = (Client) k.attachment();
                    SocketChannel ch = (SocketChannel) k.channel();
                    try {
                        if (k.isConnectable() && ch.finishConnect()) {
                            ch.write(c.connect);
                            k.interestOps(SelectionKey.OP_READ);
                        } else if (k.isReadable()) {
                            int n = ch.read(c.reply);
                            if (n < 0 || !c.reply.hasRemaining()) {
                                int code = c.reply.hasRemaining() ? -1 : c.reply.get(3);
                                codes.merge(code, 1, Integer::sum);
                                done++;
                                k.cancel();
                            }
                        }
                    } catch (IOException e) {
                        codes.merge(-1, 1, Integer::sum);
                        done++;
                        k.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            if (done < clients) {
                codes.merge(-2, clients - done, Integer::sum); // no answer at all within the wait
            }
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
        return codes;
    }

    private static final class Client {
        final ByteBuffer connect;
        final ByteBuffer reply = ByteBuffer.allocate(4);

        Client(byte[] connect) {
            this.connect = ByteBuffer.wrap(connect);
        }
    }
}
