package lb.core.balance;

import java.util.Arrays;
import java.util.Comparator;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Consistent hashing on the routing key, with weights and optional bounded load. Not
 * thread-safe: owned by one loop; it keeps no state but the ring, so instances anywhere agree.
 *
 * <p><b>Ring.</b> Each server owns {@code pointsPerWeight x weight} points on a 64-bit ring,
 * placed by hashing its <em>name</em> with the point's number; a key goes to the owner of the
 * first point at or after the key's hash. So:
 * <ul>
 *   <li>two instances with the same server names and weights send every key to the same
 *       server, whatever order the servers were declared in (the way to run several load
 *       balancers with no shared table);</li>
 *   <li>removing a server moves only the keys it held; adding one moves only the keys it
 *       takes, about its share; raising a weight adds points and lowering removes them, so a
 *       weight change also moves only the keys it must;</li>
 *   <li>a server's share of keys deviates from its weight's share by about
 *       {@code 1 / sqrt(points)} relative. The default of 500 points per weight, above the
 *       customary 100 to 160, is what keeps small rings even: with 160, a third server added
 *       to two takes over 5 points more than its third of the keys in about one ring of a
 *       hundred; with 500, in fewer than one in ten thousand. The ring costs 8 bytes per
 *       point (the owner is packed into the low bits), so with large weights lower
 *       {@code pointsPerWeight}; a ring is capped at 4,194,304 points, past which points per
 *       weight shrink to fit.</li>
 * </ul>
 *
 * <p><b>Failover.</b> A full server (or {@code avoid}) passes the key on to the next distinct
 * server along the ring, so each key has a fixed order of fallbacks.
 *
 * <p><b>Bounded load</b> (factor {@code c >= 1}, 0 = off), as HAProxy's
 * {@code hash-balance-factor}: a server may take a new tunnel only while its connections stay
 * under {@code ceil(c x (total + 1) x weight / totalWeight)}, the weighted average load
 * counting the new tunnel; one at its bound also passes the key on, so a hot key cannot pile
 * onto one server, and right after each pick no server holds more than
 * {@code ceil(c x average)}. Off by default: a bound trades exact
 * stickiness (an MQTT session's broker) for evenness, and it reads local connection counts, on
 * which separate instances may disagree.
 *
 * <p><b>No key.</b> When {@link KeyHash#hasKey(long)} is false (the frontend found no key, an
 * empty client id say) the pick goes to {@code whenNoKey}, least connections by default; with
 * {@code whenNoKey} null the client address's hash is placed on the ring instead.
 *
 * <p>Invariants: {@code ring} is sorted; each point's bits under {@code ownerMask} index
 * {@code servers}, which is sorted by name; {@code seen.length == servers.length}.
 */
public final class ConsistentHash implements Balancer {
    /** Points per unit of weight unless told otherwise. */
    public static final int DEFAULT_POINTS_PER_WEIGHT = 500;
    static final int MAX_POINTS = 1 << 22;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private final int pointsPerWeight;
    private final LoadBound bound;
    private final Balancer whenNoKey;
    private Server[] servers = new Server[0];
    private long[] ring = new long[0];
    private long ownerMask;
    private int[] seen = new int[0];
    private int epoch;

    /** 500 points per weight, no load bound, least connections when there is no key. */
    public ConsistentHash() {
        this(DEFAULT_POINTS_PER_WEIGHT);
    }

    public ConsistentHash(int pointsPerWeight) {
        this(pointsPerWeight, 0);
    }

    /** {@code loadFactor}: 0 for no bound, else at least 1 (1.25 keeps servers within 25%). */
    public ConsistentHash(int pointsPerWeight, double loadFactor) {
        this(pointsPerWeight, loadFactor, new LeastConnections());
    }

    /**
     * {@code whenNoKey} takes tunnels that arrive without a key (it is updated along with
     * this balancer and owned by it); null places the client address on the ring instead.
     */
    public ConsistentHash(int pointsPerWeight, double loadFactor, Balancer whenNoKey) {
        if (pointsPerWeight < 1 || pointsPerWeight > 10_000) {
            throw new IllegalArgumentException("pointsPerWeight must be 1..10000, was " + pointsPerWeight);
        }
        this.pointsPerWeight = pointsPerWeight;
        this.bound = new LoadBound(loadFactor);
        this.whenNoKey = whenNoKey;
    }

    @Override
    public String describe() {
        return "ConsistentHash(pointsPerWeight=" + pointsPerWeight + ", loadFactor=" + bound.factor()
                + ", whenNoKey=" + (whenNoKey == null ? "client address" : whenNoKey.describe()) + ")";
    }

    @Override
    public void update(ServerSet usable) {
        Server[] sorted = usable.servers().toArray(new Server[0]);
        Arrays.sort(sorted, Comparator.comparing(Server::name));
        int n = sorted.length;
        int[] weights = new int[n];
        long totalWeight = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = sorted[i].weight();
            totalWeight += weights[i];
        }
        int perWeight = (int) Math.max(1, Math.min(pointsPerWeight, MAX_POINTS / Math.max(1, totalWeight)));
        int ownerBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
        long mask = n <= 1 ? 0 : (1L << ownerBits) - 1;
        long[] points = new long[(int) (perWeight * totalWeight)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long seed = KeyHash.seed(sorted[i].name());
            // Point q of a server is the same whatever its weight, so weight changes only add
            // or remove points at the end of its sequence.
            for (long q = 0, count = (long) perWeight * weights[i]; q < count; q++) {
                points[k++] = KeyHash.mix(seed + q * GOLDEN) & ~mask | i;
            }
        }
        Arrays.sort(points);
        servers = sorted;
        ring = points;
        ownerMask = mask;
        seen = new int[n];
        epoch = 0;
        bound.update(sorted, weights);
        if (whenNoKey != null) {
            whenNoKey.update(usable);
        }
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        if (servers.length == 0) {
            return Pick.NO_SERVER;
        }
        if (whenNoKey != null && !KeyHash.hasKey(keyHash)) {
            return whenNoKey.pick(keyHash, avoid);
        }
        // Shifting out the key/address bit spreads 63 bits of hash over the whole ring.
        int start = ceiling(keyHash << 1);
        bound.begin();
        int found = walk(start, avoid, true);
        if (found < 0 && bound.isEnabled()) {
            found = walk(start, avoid, false);
        }
        if (found < 0 && avoid != null) {
            found = walk(start, null, false);
        }
        return found < 0 ? Pick.ALL_FULL : servers[found].asPick();
    }

    /** The first ring index whose point is at or after {@code position}, wrapping to 0. */
    private int ceiling(long position) {
        int lo = 0;
        int hi = ring.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ring[mid] < position) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == ring.length ? 0 : lo;
    }

    /**
     * Walks the ring from {@code start}, trying each server once (in the key's order) until
     * one can take the tunnel; -1 when none can. {@code seen} marks servers already tried in
     * this walk with the walk's epoch, so no clearing and no allocation per pick.
     */
    private int walk(int start, Server excluded, boolean bounded) {
        if (++epoch == 0) {
            Arrays.fill(seen, 0);
            epoch = 1;
        }
        int n = servers.length;
        int tried = 0;
        for (int k = 0, i = start; k < ring.length; k++, i = i + 1 == ring.length ? 0 : i + 1) {
            int owner = (int) (ring[i] & ownerMask);
            if (seen[owner] == epoch) {
                continue;
            }
            seen[owner] = epoch;
            Server s = servers[owner];
            if (s != excluded && !s.isFull() && (!bounded || bound.admits(owner))) {
                return owner;
            }
            if (++tried == n) {
                return -1;
            }
        }
        return -1;
    }
}
