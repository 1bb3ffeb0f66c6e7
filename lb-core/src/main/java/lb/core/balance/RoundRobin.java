package lb.core.balance;

import java.util.IdentityHashMap;
import java.util.Map;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Smooth weighted round robin (the NGINX algorithm). Not thread-safe: owned by one loop.
 *
 * <p>Each pick adds every candidate's weight to its running score, takes the highest score
 * and subtracts the candidates' total weight from the winner. With every server available,
 * a cycle of sum(weights) picks chooses each server exactly weight times, and a server is
 * never chosen twice in a row while another has an equal or higher weight: heavy servers
 * are spread out, not served in bursts.
 *
 * <p>Weights are read at {@link #update}, and {@code Server.weight(int)} republishes the set,
 * so a changed weight takes effect at the next pick without a restart. Scores of servers that
 * stay in the set carry over an update, so frequent updates do not favour the first server.
 * A full server (or {@code avoid}) sits out a pick and is not credited for it. O(n) per pick;
 * {@link StaticRoundRobin} is O(1).
 *
 * <p>Invariant: {@code servers}, {@code weights} and {@code scores} have the same length.
 */
public final class RoundRobin implements Balancer {
    private Server[] servers = new Server[0];
    private int[] weights = new int[0];
    private long[] scores = new long[0];

    public RoundRobin() {
    }

    @Override
    public void update(ServerSet usable) {
        Map<Server, Long> previous = new IdentityHashMap<>();
        for (int i = 0; i < servers.length; i++) {
            previous.put(servers[i], scores[i]);
        }
        int n = usable.size();
        Server[] nextServers = new Server[n];
        int[] nextWeights = new int[n];
        long[] nextScores = new long[n];
        for (int i = 0; i < n; i++) {
            nextServers[i] = usable.get(i);
            nextWeights[i] = nextServers[i].weight();
            nextScores[i] = previous.getOrDefault(nextServers[i], 0L);
        }
        servers = nextServers;
        weights = nextWeights;
        scores = nextScores;
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        if (servers.length == 0) {
            return Pick.NO_SERVER;
        }
        int best = pickExcluding(avoid);
        if (best < 0 && avoid != null) {
            best = pickExcluding(null);
        }
        return best < 0 ? Pick.ALL_FULL : servers[best].asPick();
    }

    /**
     * One smooth-weighted step over the servers that can take a tunnel; -1 if none can. Only
     * those servers are credited, and only they count in the total taken from the winner, so
     * the scores keep summing to what they summed to before. Nothing changes when none can.
     */
    private int pickExcluding(Server excluded) {
        int best = -1;
        long total = 0;
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            if (s == excluded || s.isFull()) {
                continue;
            }
            scores[i] += weights[i];
            total += weights[i];
            if (best < 0 || scores[i] > scores[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            scores[best] -= total;
        }
        return best;
    }
}
