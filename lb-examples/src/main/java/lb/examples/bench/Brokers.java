package lb.examples.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's brokers: one {@link BrokerProcess} each, started once and shared by every
 * target and round, so all targets meet the same brokers. Used by the benchmark's main thread.
 */
final class Brokers implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final List<ChildProcess> processes = new ArrayList<>();
    private final List<InetSocketAddress> addresses = new ArrayList<>();

    private Brokers() {
    }

    static Brokers start(int count, int loops, JavaCommand java, Path logDirectory) throws IOException, InterruptedException {
        Brokers brokers = new Brokers();
        try {
            for (int i = 1; i <= count; i++) {
                String name = "broker-" + i;
                brokers.processes.add(ChildProcess.start(name,
                        java.command(BrokerProcess.class, List.of(name, Integer.toString(loops))),
                        logDirectory.resolve(name + ".log"), true));
            }
            for (ChildProcess p : brokers.processes) {
                int port = Integer.parseInt(p.await("ready", START_TIMEOUT));
                brokers.addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            return brokers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            brokers.close();
            throw e;
        }
    }

    List<InetSocketAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** CPU time of all broker processes so far, in nanoseconds. */
    long cpuNs() {
        long sum = 0;
        for (ChildProcess p : processes) {
            sum += ProcessUsage.cpuNs(p.pid());
        }
        return sum;
    }

    @Override
    public void close() {
        for (ChildProcess p : processes) {
            p.close();
        }
    }
}
