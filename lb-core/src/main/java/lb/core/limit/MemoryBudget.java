package lb.core.limit;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * The bytes clients can make the process hold, shared by every loop of one load balancer.
 * Thread-safe (one atomic; touched when a buffer is taken or given back, never per byte).
 *
 * <p>Two tiers, so that a flood of new clients cannot starve the tunnels already served:
 * bytes held for a client not yet served (its first bytes while inspected, queued or
 * connecting) are admitted only up to {@link #ADMISSION_SHARE} of the budget; buffers of
 * established tunnels (a partial write's remainder) may use all of it. A refused admission is
 * an answer to that client (a counted refusal), never an {@code OutOfMemoryError}.
 */
public final class MemoryBudget {
    /** Share of the budget that clients not yet served may hold; the rest is kept for forwarding. */
    static final double ADMISSION_SHARE = 0.75;

    private final long limitBytes;
    private final long admissionBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    public MemoryBudget(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be > 0 bytes, was " + limitBytes);
        }
        this.limitBytes = limitBytes;
        this.admissionBytes = (long) (limitBytes * ADMISSION_SHARE);
    }

    /**
     * The default: half the smaller of the heap limit and the direct-memory limit. Inspection
     * bytes and TLS records live on the heap, plain forwarding buffers off it; half of either
     * leaves room for the JDK's own socket objects and buffers.
     */
    public static long defaultBytes() {
        long heap = Runtime.getRuntime().maxMemory();
        return Math.max(1, Math.min(heap, maxDirectMemory(heap)) / 2);
    }

    /** The JVM's direct-memory limit: {@code -XX:MaxDirectMemorySize}, or the heap limit when unset. */
    static long maxDirectMemory(long heap) {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long configured = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
            return configured > 0 ? configured : heap;
        } catch (RuntimeException e) {
            return heap; // not a HotSpot VM: the JDK's documented default
        }
    }

    /** Reserves {@code bytes} for a client not yet served; false (counted) if that would pass the admission share. */
    public boolean tryAdmit(long bytes) {
        return tryReserve(bytes, admissionBytes);
    }

    /** Reserves {@code bytes} for an established tunnel's buffer; false if the whole budget is spent. */
    public boolean tryReserve(long bytes) {
        return tryReserve(bytes, limitBytes);
    }

    private boolean tryReserve(long bytes, long ceiling) {
        while (true) {
            long now = used.get();
            if (now + bytes > ceiling) {
                refusals.incrementAndGet();
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back bytes reserved earlier. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long limitBytes() {
        return limitBytes;
    }

    public long usedBytes() {
        return used.get();
    }

    /** Reservations refused since start, of either tier. */
    public long refusals() {
        return refusals.get();
    }
}
