package lb.examples.bench;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalLong;

/** The baseline: clients talk to the brokers themselves, with nothing in between. */
final class DirectTarget implements Target {
    private final List<InetSocketAddress> brokers;

    DirectTarget(List<InetSocketAddress> brokers) {
        this.brokers = List.copyOf(brokers);
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public void start() {
        // The brokers are already running.
    }

    @Override
    public boolean isProxy() {
        return false;
    }

    @Override
    public InetSocketAddress connectAddress(int worker) {
        return brokers.get(worker % brokers.size());
    }

    @Override
    public InetSocketAddress pubsubAddress() {
        return brokers.get(0);
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public OptionalLong heapAfterGc() {
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        // Nothing of its own to stop.
    }
}
