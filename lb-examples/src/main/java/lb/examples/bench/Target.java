package lb.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.OptionalLong;

/**
 * What the load is aimed at in one measurement: the brokers directly, the balancer, or HAProxy.
 * A proxy target runs as a process of its own, started fresh by {@link #start} and stopped by
 * {@link #close}, so each measurement sees it as just started. Used by the benchmark's main
 * thread only.
 */
interface Target extends AutoCloseable {
    /** {@code direct}, {@code balancer} or {@code haproxy}. */
    String name();

    /** True for a proxy: a process of its own between clients and brokers, whose costs are measured. */
    boolean isProxy();

    /** Starts a fresh process (if this target has one) and waits until it accepts connections. */
    void start() throws IOException, InterruptedException;

    /**
     * Where a share of the connection load goes: worker {@code worker} of {@code workers}. A
     * proxy has one address for all; direct load is dealt over the brokers in turn.
     */
    InetSocketAddress connectAddress(int worker);

    /** Where publishers and subscribers go: the first broker, or a proxy frontend in front of it alone. */
    InetSocketAddress pubsubAddress();

    /** The process whose memory and CPU are measured; empty for the direct baseline. */
    OptionalLong pid();

    /** Live heap after a full collection, for a JVM target that can tell; empty otherwise. */
    OptionalLong heapAfterGc() throws InterruptedException;

    /** Stops this target's process, if it has one. */
    @Override
    void close();
}
