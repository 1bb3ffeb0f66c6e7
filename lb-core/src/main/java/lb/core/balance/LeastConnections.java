package lb.core.balance;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Weighted least connections: the server whose load ratio
 * {@code (connections + 1) / weight} is lowest, i.e. the one least loaded once it takes this
 * tunnel. Counting the new tunnel makes weights matter from the first pick (idle servers
 * weighted 1 and 3 do not tie: the heavier goes first), as HAProxy's {@code leastconn} does.
 * Not thread-safe: owned by one loop; connection counts are read live from the servers, which
 * every loop updates.
 *
 * <p>Ties are broken round robin: the scan starts just after the last server picked and keeps
 * the first lowest ratio, so equal servers all get used instead of the first taking every
 * tie. Ratios are compared by cross-multiplying, exact and without division. O(n) per pick.
 */
public final class LeastConnections implements Balancer {
    private Server[] servers = new Server[0];
    private int[] weights = new int[0];
    private int start;

    public LeastConnections() {
    }

    @Override
    public void update(ServerSet usable) {
        int n = usable.size();
        Server[] next = new Server[n];
        int[] nextWeights = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = usable.get(i);
            nextWeights[i] = next[i].weight();
        }
        servers = next;
        weights = nextWeights;
        start = 0;
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        int n = servers.length;
        if (n == 0) {
            return Pick.NO_SERVER;
        }
        int best = leastLoaded(avoid);
        if (best < 0 && avoid != null) {
            best = leastLoaded(null);
        }
        if (best < 0) {
            return Pick.ALL_FULL;
        }
        start = best + 1 == n ? 0 : best + 1;
        return servers[best].asPick();
    }

    private int leastLoaded(Server excluded) {
        int n = servers.length;
        int best = -1;
        long bestLoad = 0;
        int bestWeight = 1;
        for (int k = 0, i = start; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            Server s = servers[i];
            if (s == excluded || s.isFull()) {
                continue;
            }
            long load = s.connections() + 1L;
            if (best < 0 || isLighter(load, weights[i], bestLoad, bestWeight)) {
                best = i;
                bestLoad = load;
                bestWeight = weights[i];
            }
        }
        return best;
    }

    /** {@code loadA / weightA < loadB / weightB}, for positive weights. */
    static boolean isLighter(long loadA, int weightA, long loadB, int weightB) {
        return loadA * weightB < loadB * weightA;
    }
}
