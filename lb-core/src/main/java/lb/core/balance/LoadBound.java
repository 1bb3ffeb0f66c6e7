package lb.core.balance;

import lb.core.model.Server;

/**
 * Bounded load for the key-hash balancers (consistent hashing with bounded loads, as in
 * HAProxy's {@code hash-balance-factor}): a server may take a new tunnel only while its
 * connections stay under {@code ceil(factor x (total + 1) x weight / totalWeight)}, the
 * weighted average load counting the new tunnel, times the factor. Keys whose server is at
 * its bound go to the next server in that key's own order, so a hot key cannot pile onto one
 * server. Not thread-safe: owned by the balancer that owns it, on one loop.
 *
 * <p>Why some server always has room: the bounds sum to at least {@code factor x (total + 1)}
 * (less a rounding slack far below 1), which exceeds the {@code total} connections when
 * {@code factor >= 1}. Consequence: right after each pick, no server holds more than
 * {@code ceil(factor x total x weight / totalWeight)}.
 *
 * <p>The bound reads live connection counts, which differ between load balancer instances, so
 * instances agree on a key's server only while that server is under its bound everywhere.
 */
final class LoadBound {
    /**
     * Products that should be whole numbers can come out a hair above them in floating point
     * (as 0.1 x 3 gives 0.30000000000000004), and ceil would then allow one connection too
     * many. Far below any real fraction of a connection, far above double rounding here.
     */
    private static final double ROUNDING_SLACK = 1e-9;

    private final double factor;
    private Server[] servers = new Server[0];
    private double[] shares = new double[0];
    private long total;

    double factor() {
        return factor;
    }

    /** {@code factor} 0 disables the bound; otherwise it must be at least 1. */
    LoadBound(double factor) {
        if (!(factor == 0 || factor >= 1 && factor < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("load factor must be 0 (off) or a finite number >= 1, was " + factor);
        }
        this.factor = factor;
    }

    boolean isEnabled() {
        return factor > 0;
    }

    /** {@code servers[i]} has weight {@code weights[i]}; the arrays are kept, not copied. */
    void update(Server[] servers, int[] weights) {
        long totalWeight = 0;
        for (int w : weights) {
            totalWeight += w;
        }
        double[] next = new double[servers.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = factor * weights[i] / totalWeight;
        }
        this.servers = servers;
        this.shares = next;
    }

    /** Reads the live total once, before a pick's candidates are tried. */
    void begin() {
        if (factor > 0) {
            long sum = 0;
            for (Server s : servers) {
                sum += s.connections();
            }
            total = sum;
        }
    }

    /** Whether server {@code i} is under its bound (always, when the bound is off). */
    boolean admits(int i) {
        return factor == 0 || servers[i].connections() < Math.ceil(shares[i] * (total + 1) - ROUNDING_SLACK);
    }
}
