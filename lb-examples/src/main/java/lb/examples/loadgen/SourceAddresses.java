package lb.examples.loadgen;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where clients connect from. Each source address, bound before connect, brings its own ~28k
 * ephemeral ports towards one target, so several (127.0.0.1, 127.0.0.2, ...) lift the limit
 * one address puts on connections. With a port range, ports are picked here instead of by the
 * kernel, which lets a test narrow the range and show the limit.
 *
 * <p>Thread-safe: loops acquire and release concurrently, once per connection attempt.
 */
final class SourceAddresses {
    /** A connection bound to nothing: the kernel chose address and port at connect. */
    static final Lease UNBOUND = new Lease(-1, 0);

    private final InetAddress[] addresses;
    private final int portLow;
    private final int portCount;
    private final BitSet[] portsInUse;
    private final int[] nextPort;
    private final AtomicInteger nextAddress = new AtomicInteger();

    SourceAddresses(List<InetAddress> addresses, int portLow, int portHigh) {
        this.addresses = addresses.toArray(new InetAddress[0]);
        this.portLow = portLow;
        this.portCount = portLow == 0 ? 0 : portHigh - portLow + 1;
        this.portsInUse = new BitSet[this.addresses.length];
        this.nextPort = new int[this.addresses.length];
        for (int i = 0; i < portsInUse.length; i++) {
            portsInUse[i] = new BitSet(portCount);
        }
    }

    /** True when ports come from the configured range, so closing should not leave TIME_WAIT behind. */
    boolean picksPorts() {
        return portCount > 0;
    }

    /**
     * Binds {@code channel} to the next source address (and a free port of the range, if one
     * is set). Returns the lease to release after close, or null when every port is taken.
     */
    Lease bind(SocketChannel channel) throws IOException {
        if (addresses.length == 0) {
            return UNBOUND;
        }
        int first = Math.floorMod(nextAddress.getAndIncrement(), addresses.length);
        if (portCount == 0) {
            channel.bind(new InetSocketAddress(addresses[first], 0));
            return new Lease(first, 0);
        }
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        for (int i = 0; i < addresses.length; i++) {
            int address = (first + i) % addresses.length;
            Lease lease = bindInRange(channel, address);
            if (lease != null) {
                return lease;
            }
        }
        return null;
    }

    void release(Lease lease) {
        if (lease != null && lease.port() != 0) {
            synchronized (portsInUse[lease.address()]) {
                portsInUse[lease.address()].clear(lease.port() - portLow);
            }
        }
    }

    private Lease bindInRange(SocketChannel channel, int address) throws IOException {
        BitSet inUse = portsInUse[address];
        synchronized (inUse) {
            for (int tried = 0; tried < portCount; tried++) {
                int offset = nextPort[address];
                nextPort[address] = (offset + 1) % portCount;
                if (inUse.get(offset)) {
                    continue;
                }
                try {
                    channel.bind(new InetSocketAddress(addresses[address], portLow + offset));
                } catch (BindException takenElsewhere) {
                    continue;
                }
                inUse.set(offset);
                return new Lease(address, portLow + offset);
            }
        }
        return null;
    }

    /** The source a connection holds: the address's index and the port taken from the range (0 if none). */
    record Lease(int address, int port) {
    }
}
