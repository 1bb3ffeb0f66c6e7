package lb.core.balance;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Weighted round robin from a precomputed schedule: the cheapest balancer. Not thread-safe:
 * owned by one loop.
 *
 * <p>{@link #update} writes one smooth weighted cycle out as an array of server indices
 * (weights divided by their greatest common divisor, so 100/200/100 costs 4 slots); a pick
 * reads the next slot. Weights are fixed between updates: a weight change rebuilds the
 * schedule and restarts the cycle. A full server (or {@code avoid}) gives its slot to the next
 * slot's server, so unlike {@link RoundRobin} the skipped turns are not made up later.
 *
 * <p>Invariants: every entry of {@code schedule} indexes {@code servers};
 * {@code 0 <= cursor < schedule.length} whenever the schedule is not empty.
 */
public final class StaticRoundRobin implements Balancer {
    private Server[] servers = new Server[0];
    private int[] schedule = new int[0];
    private int cursor;

    public StaticRoundRobin() {
    }

    @Override
    public void update(ServerSet usable) {
        int n = usable.size();
        Server[] next = new Server[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = usable.get(i);
            weights[i] = next[i].weight();
        }
        servers = next;
        schedule = WeightedSchedule.interleave(weights);
        cursor = 0;
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        if (servers.length == 0) {
            return Pick.NO_SERVER;
        }
        int len = schedule.length;
        for (int k = 0; k < len; k++) {
            Server s = servers[schedule[cursor]];
            cursor = cursor + 1 == len ? 0 : cursor + 1;
            if (s != avoid && !s.isFull()) {
                return s.asPick();
            }
        }
        return lastChoice(avoid);
    }

    private Pick lastChoice(Server avoid) {
        if (avoid != null && !avoid.isFull()) {
            for (Server s : servers) {
                if (s == avoid) {
                    return s.asPick();
                }
            }
        }
        return Pick.ALL_FULL;
    }
}
