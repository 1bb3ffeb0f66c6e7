package lb.core.balance;

import java.util.List;

import lb.core.model.Server;

/**
 * Immutable snapshot of a backend's usable servers, published whenever a server's state or
 * weight changes. {@code version} grows with each publication so a loop can tell, with one
 * volatile read, that its balancer needs an {@link Balancer#update}.
 */
public record ServerSet(long version, List<Server> servers) {
    public ServerSet {
        servers = List.copyOf(servers);
    }

    public int size() {
        return servers.size();
    }

    public Server get(int i) {
        return servers.get(i);
    }

    public boolean isEmpty() {
        return servers.isEmpty();
    }
}
