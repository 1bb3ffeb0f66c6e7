package lb.core.balance;

import java.util.Arrays;
import java.util.Comparator;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Rendezvous (highest random weight) hashing on the routing key, with weights and optional
 * bounded load. Not thread-safe: owned by one loop; it keeps no state but the server list, so
 * instances anywhere agree.
 *
 * <p>Every server scores the key with a hash of (key, server name); the highest score wins.
 * Weighted scores are {@code -weight / ln(u)}, u the hash scaled into (0, 1), which gives each
 * server a share of keys exactly proportional to its weight. Hence:
 * <ul>
 *   <li>two instances with the same server names and weights pick the same server for a key,
 *       in any declaration order (ties go to the first name);</li>
 *   <li>removing a server moves only its keys (every other key keeps its highest scorer);
 *       adding one moves only the keys it now outscores, its share, with no ring variance;</li>
 *   <li>a pick costs one hash per server (plus a logarithm when weights differ), with no
 *       memory beyond the server list: best for tens of servers, where
 *       {@link ConsistentHash}'s binary search wins for hundreds.</li>
 * </ul>
 *
 * <p>A full server (or {@code avoid}), or one at its load bound (as in {@link ConsistentHash}), gives the
 * key to the next-highest scorer. With no key ({@link KeyHash#hasKey(long)} false) the pick
 * goes to {@code whenNoKey}, least connections by default; null scores the client address.
 *
 * <p>Invariants: {@code servers} is sorted by name; {@code seeds} and {@code weights} have its
 * length; {@code equalWeights} is true iff every weight is the same.
 */
public final class RendezvousHash implements Balancer {
    private final LoadBound bound;
    private final Balancer whenNoKey;
    private Server[] servers = new Server[0];
    private long[] seeds = new long[0];
    private int[] weights = new int[0];
    private boolean equalWeights;

    /** No load bound, least connections when there is no key. */
    public RendezvousHash() {
        this(0);
    }

    /** {@code loadFactor}: 0 for no bound, else at least 1. */
    public RendezvousHash(double loadFactor) {
        this(loadFactor, new LeastConnections());
    }

    /**
     * {@code whenNoKey} takes tunnels that arrive without a key (it is updated along with
     * this balancer and owned by it); null scores the client address's hash instead.
     */
    public RendezvousHash(double loadFactor, Balancer whenNoKey) {
        this.bound = new LoadBound(loadFactor);
        this.whenNoKey = whenNoKey;
    }

    @Override
    public String describe() {
        return "RendezvousHash(loadFactor=" + bound.factor()
                + ", whenNoKey=" + (whenNoKey == null ? "client address" : whenNoKey.describe()) + ")";
    }

    @Override
    public void update(ServerSet usable) {
        Server[] sorted = usable.servers().toArray(new Server[0]);
        Arrays.sort(sorted, Comparator.comparing(Server::name));
        int n = sorted.length;
        long[] nextSeeds = new long[n];
        int[] nextWeights = new int[n];
        boolean equal = true;
        for (int i = 0; i < n; i++) {
            nextSeeds[i] = KeyHash.seed(sorted[i].name());
            nextWeights[i] = sorted[i].weight();
            equal &= nextWeights[i] == nextWeights[0];
        }
        servers = sorted;
        seeds = nextSeeds;
        weights = nextWeights;
        equalWeights = equal;
        bound.update(sorted, nextWeights);
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
        bound.begin();
        int found = highest(keyHash, avoid, true);
        if (found < 0 && bound.isEnabled()) {
            found = highest(keyHash, avoid, false);
        }
        if (found < 0 && avoid != null) {
            found = highest(keyHash, null, false);
        }
        return found < 0 ? Pick.ALL_FULL : servers[found].asPick();
    }

    /** The highest-scoring server that can take the tunnel, or -1. */
    private int highest(long keyHash, Server excluded, boolean bounded) {
        int best = -1;
        long bestRaw = 0;
        double bestScore = 0;
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            if (s == excluded || s.isFull() || bounded && !bound.admits(i)) {
                continue;
            }
            long h = KeyHash.mix(keyHash ^ seeds[i]);
            if (equalWeights) {
                // ln is monotonic: with one weight, the raw hash orders servers the same way.
                long raw = h ^ Long.MIN_VALUE;
                if (best < 0 || raw > bestRaw) {
                    best = i;
                    bestRaw = raw;
                }
            } else {
                double u = ((h >>> 11) + 0.5) * 0x1.0p-53;
                double score = Math.log(u) / weights[i];
                if (best < 0 || score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
        }
        return best;
    }
}
