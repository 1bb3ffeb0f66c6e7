package lb.core;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import lb.core.balance.Pick;

/**
 * One upstream of a backend: its name, resolved address and limits, and its live connection
 * count. Thread-safe: the count is an atomic touched once per tunnel open and close (never per
 * byte), weight and state are volatile and may be changed from any thread at run time.
 */
public final class Server {
    private final String name;
    private final InetSocketAddress address;
    private final int maxConnections;
    private final Pick pick = Pick.of(this);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong totalConnections = new AtomicLong();
    private volatile int weight;
    private volatile ServerState state;
    private Backend backend;

    Server(String name, InetSocketAddress address, int weight, int maxConnections, ServerState state) {
        this.name = name;
        this.address = address;
        this.weight = weight;
        this.maxConnections = maxConnections;
        this.state = state;
    }

    void attach(Backend backend) {
        this.backend = backend;
    }

    public String name() {
        return name;
    }

    /** Resolved once at build time, so connecting never resolves or allocates an address. */
    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    /** 0 means no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    public ServerState state() {
        return state;
    }

    public Backend backend() {
        return backend;
    }

    /** Live tunnels on this server, counting those still connecting. */
    public int connections() {
        return connections.get();
    }

    public long totalConnections() {
        return totalConnections.get();
    }

    /** The balancer result that names this server, made once so picking allocates nothing. */
    public Pick asPick() {
        return pick;
    }

    public boolean isUsable() {
        return state == ServerState.READY && weight > 0;
    }

    public boolean isFull() {
        return maxConnections > 0 && connections.get() >= maxConnections;
    }

    /** Sets the weight (0 takes the server out of rotation); effective for the next pick. */
    public void weight(int newWeight) {
        if (newWeight < 0 || newWeight > 256) {
            throw new IllegalArgumentException("server " + name + ": weight must be 0..256, was " + newWeight);
        }
        this.weight = newWeight;
        backend.publishServerSet();
    }

    /** Sets the operator state; effective for the next pick, established tunnels stay. */
    public void state(ServerState newState) {
        this.state = java.util.Objects.requireNonNull(newState, "state");
        backend.publishServerSet();
    }

    /** Takes a connection slot if the server is below its limit. */
    public boolean tryAcquire() {
        while (true) {
            int n = connections.get();
            if (maxConnections > 0 && n >= maxConnections) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                totalConnections.incrementAndGet();
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire()} and lets the backend's queue move. */
    public void release() {
        connections.decrementAndGet();
        backend.onSlotFreed();
    }

    @Override
    public String toString() {
        return name + "@" + address.getHostString() + ":" + address.getPort();
    }
}
