package lb.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import lb.core.LoadBalancer;
import lb.core.balance.LeastConnections;
import lb.mqtt.Mqtt;

/**
 * The balancer under test, as its own process so its memory and CPU are its own: MQTT CONNECT
 * inspection, client-id stick table, least connections, in front of the benchmark's brokers.
 * Configured as {@link HaproxyConfig} configures HAProxy, so both do the same work.
 *
 * <p>Two frontends on free loopback ports: {@code mqtt} over every broker, and {@code pubsub}
 * over the first broker alone (the fake brokers do not share subscriptions, so publishers and
 * subscribers must meet on one). Prints {@code ready MQTT_PORT PUBSUB_PORT}, then answers
 * commands on stdin until it closes:
 *
 * <pre>
 * heap    collect garbage, answer "heap BYTES": the live heap
 * </pre>
 *
 * <pre>
 * BalancerProcess EVENT_LOOPS HOST:PORT[,HOST:PORT...]
 * </pre>
 */
public final class BalancerProcess {
    /** As HAProxy's {@code stick-table size 200k expire 30m} in {@link HaproxyConfig}. */
    static final int STICK_TABLE_CAPACITY = 200_000;
    static final Duration STICK_EXPIRY = Duration.ofMinutes(30);
    static final Duration INSPECT_DELAY = Duration.ofSeconds(5);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    static final int BACKLOG = 4096;

    private BalancerProcess() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: BalancerProcess EVENT_LOOPS HOST:PORT[,HOST:PORT...]");
            System.exit(2);
        }
        int loops = Integer.parseInt(args[0]);
        List<InetSocketAddress> brokers = new ArrayList<>();
        for (String hostPort : args[1].split(",")) {
            int colon = hostPort.lastIndexOf(':');
            brokers.add(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
        }
        try (LoadBalancer lb = build(loops, brokers).start()) {
            System.out.println("ready " + lb.frontend("mqtt").boundAddresses().get(0).getPort()
                    + " " + lb.frontend("pubsub").boundAddresses().get(0).getPort());
            System.out.flush();
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            String command;
            while ((command = StandardInput.next()) != null) {
                if (command.equals("heap")) {
                    memory.gc();
                    System.out.println("heap " + memory.getHeapMemoryUsage().getUsed());
                    System.out.flush();
                }
            }
        }
    }

    static LoadBalancer build(int loops, List<InetSocketAddress> brokers) {
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return LoadBalancer.builder()
                .eventLoops(loops)
                .backend("brokers", backend -> {
                    for (int i = 0; i < brokers.size(); i++) {
                        backend.server("broker-" + (i + 1), brokers.get(i));
                    }
                    backend.balancer(LeastConnections::new)
                            .stickTable(Mqtt.clientIdStickTable(STICK_TABLE_CAPACITY, STICK_EXPIRY))
                            .connectTimeout(CONNECT_TIMEOUT)
                            .serverTimeout(IDLE_TIMEOUT);
                })
                .backend("pubsub-broker", backend -> backend
                        .server("broker-1", brokers.get(0))
                        .balancer(LeastConnections::new)
                        .stickTable(Mqtt.clientIdStickTable(STICK_TABLE_CAPACITY, STICK_EXPIRY))
                        .connectTimeout(CONNECT_TIMEOUT)
                        .serverTimeout(IDLE_TIMEOUT))
                .frontend("mqtt", frontend -> frontend
                        .listen(anyPort)
                        .backlog(BACKLOG)
                        .clientTimeout(IDLE_TIMEOUT)
                        .keyExtractor(Mqtt.connectInspector())
                        .inspectDelay(INSPECT_DELAY)
                        .backend("brokers"))
                .frontend("pubsub", frontend -> frontend
                        .listen(anyPort)
                        .backlog(BACKLOG)
                        .clientTimeout(IDLE_TIMEOUT)
                        .keyExtractor(Mqtt.connectInspector())
                        .inspectDelay(INSPECT_DELAY)
                        .backend("pubsub-broker"))
                .build();
    }
}
