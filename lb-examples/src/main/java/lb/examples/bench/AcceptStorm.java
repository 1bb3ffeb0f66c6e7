package lb.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import lb.core.LoadBalancer;
import lb.core.model.AcceptMode;
import lb.core.stats.LoopStats;

/**
 * Compares the two accept modes under a connection storm: N clients connect at once, and we
 * time until the server behind the balancer has accepted all N, and see how evenly the loops
 * were filled and how much loop CPU it took. Modes alternate round by round so drift on a
 * shared machine hits both alike; medians are printed.
 *
 * <pre>
 * AcceptStorm [CLIENTS (default 3000)] [ROUNDS (default 5)] [LOOPS (default 2)]
 * </pre>
 */
public final class AcceptStorm {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AcceptStorm() {
    }

    record Round(double millis, double imbalance, double cpuMillis) {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<Round> handoff = new ArrayList<>();
        List<Round> reusePort = new ArrayList<>();
        storm(AcceptMode.HANDOFF, Math.min(clients, 500), loops); // warm-up
        storm(AcceptMode.REUSE_PORT, Math.min(clients, 500), loops);
        for (int r = 0; r < rounds; r++) {
            handoff.add(storm(AcceptMode.HANDOFF, clients, loops));
            reusePort.add(storm(AcceptMode.REUSE_PORT, clients, loops));
        }
        System.out.printf("%d clients at once, %d loops, %d rounds (medians)%n", clients, loops, rounds);
        System.out.printf("%-11s %12s %22s %14s%n", "mode", "all in (ms)", "busiest/mean loop load", "loop CPU (ms)");
        print("HANDOFF", handoff);
        print("REUSE_PORT", reusePort);
    }

    private static void print(String mode, List<Round> rounds) {
        System.out.printf("%-11s %12.1f %22.3f %14.1f%n", mode,
                median(rounds.stream().mapToDouble(Round::millis).toArray()),
                median(rounds.stream().mapToDouble(Round::imbalance).toArray()),
                median(rounds.stream().mapToDouble(Round::cpuMillis).toArray()));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Round storm(AcceptMode mode, int clients, int loops) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 8192);
            List<SocketChannel> accepted = new ArrayList<>();
            AtomicInteger acceptedCount = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                try {
                    while (acceptedCount.get() < clients) {
                        accepted.add(server.accept());
                        acceptedCount.incrementAndGet();
                    }
                } catch (IOException e) {
                    // closed at the end of the round
                }
            });
            acceptor.start();
            InetSocketAddress target = (InetSocketAddress) server.getLocalAddress();
            LoadBalancer lb = LoadBalancer.builder()
                    .eventLoops(loops)
                    .acceptMode(mode)
                    .backend("b", b -> b.server("s", target))
                    .frontend("f", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("b").backlog(8192))
                    .build().start();
            InetSocketAddress at = lb.frontend("f").boundAddresses().get(0);
            long cpuBefore = loopCpu(lb);
            List<SocketChannel> open = new ArrayList<>(clients);
            long start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.connect(at);
                open.add(c);
            }
            acceptor.join(60_000);
            long elapsed = System.nanoTime() - start;
            long cpu = loopCpu(lb) - cpuBefore;
            int max = 0;
            for (LoopStats l : lb.stats().loops()) {
                max = Math.max(max, l.tunnels());
            }
            double imbalance = max / ((double) clients / loops);
            for (SocketChannel c : open) {
                c.close();
            }
            lb.close();
            for (SocketChannel c : accepted) {
                c.close();
            }
            return new Round(elapsed / 1e6, imbalance, cpu / 1e6);
        }
    }

    private static long loopCpu(LoadBalancer lb) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(lb.threadNamePrefix())) {
                sum += THREADS.getThreadCpuTime(t.getId());
            }
        }
        return sum;
    }
}
