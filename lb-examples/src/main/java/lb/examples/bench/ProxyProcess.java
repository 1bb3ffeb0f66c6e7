package lb.examples.bench;

import java.net.InetSocketAddress;
import java.util.OptionalLong;

/**
 * What every proxy target shares: a process of its own, started fresh for each measurement, with
 * one address for all connection load and one in front of the first broker for pub/sub.
 * Subclasses start the process and set the addresses.
 */
abstract class ProxyProcess implements Target {
    protected ChildProcess process;
    protected InetSocketAddress mqtt;
    protected InetSocketAddress pubsub;
    /** Processes started so far: each gets a log of its own. */
    protected int starts;

    @Override
    public final boolean isProxy() {
        return true;
    }

    @Override
    public final InetSocketAddress connectAddress(int worker) {
        return mqtt;
    }

    @Override
    public final InetSocketAddress pubsubAddress() {
        return pubsub;
    }

    @Override
    public final OptionalLong pid() {
        return OptionalLong.of(process.pid());
    }

    @Override
    public final void close() {
        if (process != null) {
            process.close();
            process = null;
        }
    }
}
