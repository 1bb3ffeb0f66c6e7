package lb.core.balance;

import java.util.concurrent.ThreadLocalRandom;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Random with two choices: draw two servers at random, in proportion to their weights, and
 * take the one with the lower load ratio {@code (connections + 1) / weight}. Nearly as even as
 * {@link LeastConnections}, but O(log n) per pick, and loops that pick at the same moment do
 * not all pile onto the one least-loaded server (HAProxy's {@code random(2)}). Not
 * thread-safe: owned by one loop, with its own random generator.
 *
 * <p>The two draws are always two different servers (the second is drawn among the others).
 * When a draw lands on a full server (or {@code avoid}) the other draw wins; when both do,
 * the pick falls back to a full least-loaded scan, so a server with room is always found.
 *
 * <p>Invariants: {@code cumulative[i]} is the sum of the weights of servers {@code 0..i};
 * the arrays have the length of {@code servers}.
 */
public final class PowerOfTwoChoices implements Balancer {
    private Server[] servers = new Server[0];
    private int[] weights = new int[0];
    private int[] cumulative = new int[0];
    private long state;

    /** Randomly seeded: loops and instances draw differently. */
    public PowerOfTwoChoices() {
        this(ThreadLocalRandom.current().nextLong());
    }

    /** Seeded for repeatable draws (tests, simulations). */
    public PowerOfTwoChoices(long seed) {
        this.state = seed;
    }

    @Override
    public void update(ServerSet usable) {
        int n = usable.size();
        Server[] next = new Server[n];
        int[] nextWeights = new int[n];
        int[] nextCumulative = new int[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            next[i] = usable.get(i);
            nextWeights[i] = next[i].weight();
            sum += nextWeights[i];
            nextCumulative[i] = sum;
        }
        servers = next;
        weights = nextWeights;
        cumulative = nextCumulative;
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        int n = servers.length;
        if (n == 0) {
            return Pick.NO_SERVER;
        }
        int a = draw(-1);
        int b = n > 1 ? draw(a) : a;
        boolean aFits = fits(a, avoid);
        boolean bFits = fits(b, avoid);
        int best;
        if (aFits && bFits) {
            best = lighter(a, b);
        } else if (aFits || bFits) {
            best = aFits ? a : b;
        } else {
            best = leastLoaded(avoid);
            if (best < 0 && avoid != null) {
                best = leastLoaded(null);
            }
        }
        return best < 0 ? Pick.ALL_FULL : servers[best].asPick();
    }

    private boolean fits(int i, Server avoid) {
        Server s = servers[i];
        return s != avoid && !s.isFull();
    }

    private int lighter(int a, int b) {
        long loadA = servers[a].connections() + 1L;
        long loadB = servers[b].connections() + 1L;
        return LeastConnections.isLighter(loadB, weights[b], loadA, weights[a]) ? b : a;
    }

    private int leastLoaded(Server excluded) {
        int best = -1;
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] != excluded && !servers[i].isFull() && (best < 0 || lighter(best, i) == i)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * A server index drawn with probability weight / total, by binary search; with
     * {@code except >= 0}, drawn among the others (its weight range is cut out of the draw), so
     * the two choices are always two servers.
     */
    private int draw(int except) {
        int total = cumulative[cumulative.length - 1];
        int cut = except < 0 ? 0 : weights[except];
        int r = (int) (((nextRandom() >>> 32) * (total - cut)) >>> 32);
        if (except >= 0 && r >= cumulative[except] - cut) {
            r += cut;
        }
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** A SplitMix-style generator (a Weyl sequence, finalised): one long of state, no allocation. */
    private long nextRandom() {
        state += 0x9e3779b97f4a7c15L;
        return KeyHash.mix(state);
    }
}
