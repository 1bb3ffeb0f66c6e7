package lb.core.balance;

import java.util.Arrays;
import java.util.Comparator;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * Map-based hash (HAProxy's {@code balance source} with {@code hash-type map-based}): the hash
 * picks a slot in a table where each server holds weight-many slots, so one client address
 * always reaches the same server while the set is unchanged. Not thread-safe: owned by one
 * loop. O(1) per pick.
 *
 * <p>It hashes whatever {@code keyHash} the engine passes: the client address's hash when the
 * frontend extracts no key, the key's otherwise. Cheaper than {@link ConsistentHash}, but any
 * change to the set or a weight remaps most clients; prefer the consistent one when servers
 * come and go. A full server (or {@code avoid}) sends the client to the next slot's server, the
 * table being interleaved so that the next slot usually names another server. Deterministic:
 * the table is laid out by server name, so instances built with the same server names and
 * weights agree, in any declaration order.
 *
 * <p>Invariant: every entry of {@code slots} indexes {@code servers}, which is sorted by name.
 */
public final class SourceHash implements Balancer {
    private Server[] servers = new Server[0];
    private int[] slots = new int[0];

    public SourceHash() {
    }

    @Override
    public void update(ServerSet usable) {
        Server[] next = usable.servers().toArray(new Server[0]);
        Arrays.sort(next, Comparator.comparing(Server::name));
        int[] weights = new int[next.length];
        for (int i = 0; i < next.length; i++) {
            weights[i] = next[i].weight();
        }
        servers = next;
        slots = WeightedSchedule.interleave(weights);
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        if (servers.length == 0) {
            return Pick.NO_SERVER;
        }
        int len = slots.length;
        // The low 32 bits, scaled to the table: the top bit only tells keys from addresses.
        int slot = (int) (((keyHash & 0xffffffffL) * len) >>> 32);
        boolean avoidFits = false;
        for (int k = 0; k < len; k++) {
            Server s = servers[slots[slot]];
            if (!s.isFull()) {
                if (s != avoid) {
                    return s.asPick();
                }
                avoidFits = true;
            }
            slot = slot + 1 == len ? 0 : slot + 1;
        }
        return avoidFits ? avoid.asPick() : Pick.ALL_FULL;
    }
}
