package lb.core.balance;

import lb.core.Server;

/**
 * Smooth weighted round robin (as in NGINX): each pick adds every server's weight to its
 * running score, takes the highest, and subtracts the total from the winner. Over a cycle of
 * sum(weights) picks each server is chosen weight times, spread out rather than in runs.
 * Weights are read at {@link #update}, so a changed weight takes effect with the next
 * published server set. Owned by one loop.
 */
public final class RoundRobin implements Balancer {
    private Server[] servers = new Server[0];
    private int[] weights = new int[0];
    private long[] scores = new long[0];

    @Override
    public void update(ServerSet usable) {
        int n = usable.size();
        servers = new Server[n];
        weights = new int[n];
        scores = new long[n];
        for (int i = 0; i < n; i++) {
            servers[i] = usable.get(i);
            weights[i] = servers[i].weight();
        }
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        if (servers.length == 0) {
            return Pick.NO_SERVER;
        }
        int best = -1;
        long total = 0;
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            if (s.isFull() || (s == avoid && servers.length > 1)) {
                continue;
            }
            scores[i] += weights[i];
            total += weights[i];
            if (best < 0 || scores[i] > scores[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return Pick.ALL_FULL;
        }
        scores[best] -= total;
        return servers[best].asPick();
    }
}
