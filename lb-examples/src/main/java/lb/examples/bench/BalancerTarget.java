package lb.examples.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** This library's balancer, run as a {@link BalancerProcess} of its own JVM. */
final class BalancerTarget extends ProxyProcess {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HEAP_TIMEOUT = Duration.ofSeconds(60);

    private final JavaCommand java;
    private final int eventLoops;
    private final List<InetSocketAddress> brokers;
    private final Path logDirectory;

    BalancerTarget(JavaCommand java, int eventLoops, List<InetSocketAddress> brokers, Path logDirectory) {
        this.java = java;
        this.eventLoops = eventLoops;
        this.brokers = List.copyOf(brokers);
        this.logDirectory = logDirectory;
    }

    @Override
    public String name() {
        return "balancer";
    }

    @Override
    public void start() throws IOException, InterruptedException {
        String servers = brokers.stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
                .collect(Collectors.joining(","));
        List<String> command = java.command(BalancerProcess.class, List.of(Integer.toString(eventLoops), servers));
        process = ChildProcess.start("balancer", command, logDirectory.resolve("balancer-" + (++starts) + ".log"), true);
        String[] ports = process.await("ready", START_TIMEOUT).split(" ");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        mqtt = new InetSocketAddress(loopback, Integer.parseInt(ports[0]));
        pubsub = new InetSocketAddress(loopback, Integer.parseInt(ports[1]));
    }

    @Override
    public OptionalLong heapAfterGc() throws InterruptedException {
        process.send("heap");
        return OptionalLong.of(Long.parseLong(process.await("heap", HEAP_TIMEOUT)));
    }
}
