package lb.core.limit;

import java.net.InetAddress;
import java.util.BitSet;

/**
 * The local ports one source address may use toward one server: a range owned by the library
 * instead of the kernel's ephemeral pool. Because each server has its own instance, the same
 * local port is reused for different servers (sockets bind with {@code SO_REUSEADDR}), so a
 * source address gives a full range per server rather than one range shared by all; and the
 * kernel never scans a nearly-full ephemeral range on connect.
 *
 * <p>Thread-safe (one monitor): ports are taken and given back once per tunnel, never per byte.
 * A cursor walks the range so a just-freed port (perhaps still in TIME_WAIT) is reused last.
 */
public final class SourcePorts {
    private final InetAddress address;
    private final int low;
    private final int high;
    private final BitSet used;
    private int cursor;
    private int inUse;

    public SourcePorts(InetAddress address, int low, int high) {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("source " + address.getHostAddress()
                    + ": port range must be within 1..65535 and low <= high, was " + low + "-" + high);
        }
        this.address = address;
        this.low = low;
        this.high = high;
        this.used = new BitSet(high - low + 1);
    }

    public InetAddress address() {
        return address;
    }

    /** A free port of the range, now taken; -1 if all are taken. */
    public synchronized int take() {
        int size = high - low + 1;
        if (inUse == size) {
            return -1;
        }
        int i = used.nextClearBit(cursor);
        if (i >= size) {
            i = used.nextClearBit(0);
        }
        used.set(i);
        inUse++;
        cursor = i + 1 == size ? 0 : i + 1;
        return low + i;
    }

    public synchronized void give(int port) {
        int i = port - low;
        if (i >= 0 && i <= high - low && used.get(i)) {
            used.clear(i);
            inUse--;
        }
    }

    public synchronized int inUse() {
        return inUse;
    }

    public int capacity() {
        return high - low + 1;
    }
}
