package lb.core.balance;

import lb.core.model.Pick;
import lb.core.model.Server;

/**
 * The first server, in the backend's declared order, that is below its connection limit:
 * fill server 1 to its {@code maxConnections}, then server 2, and so on (HAProxy's
 * {@code first}). Keeps the fewest servers busy, so spare ones can be scaled down. Weights
 * only decide usability (0 is out). A server without a limit takes every tunnel, so give
 * each server a {@code maxConnections}. Not thread-safe: owned by one loop. O(n) per pick.
 */
public final class FirstAvailable implements Balancer {
    private Server[] servers = new Server[0];

    public FirstAvailable() {
    }

    @Override
    public void update(ServerSet usable) {
        servers = usable.servers().toArray(new Server[0]);
    }

    @Override
    public Pick pick(long keyHash, Server avoid) {
        if (servers.length == 0) {
            return Pick.NO_SERVER;
        }
        boolean avoidFits = false;
        for (Server s : servers) {
            if (!s.isFull()) {
                if (s != avoid) {
                    return s.asPick();
                }
                avoidFits = true;
            }
        }
        return avoidFits ? avoid.asPick() : Pick.ALL_FULL;
    }
}
