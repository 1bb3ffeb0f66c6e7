package lb.core.balance;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.core.model.ServerState;

/**
 * Backends of real {@link Server}s for balancer tests, made through the public builder without
 * starting anything (building binds no port).
 */
final class TestBackends {
    /** One server to be: its live connections are taken with {@code tryAcquire} after building. */
    record Spec(String name, int weight, int maxConnections, ServerState state, int connections) {
        static Spec ready(String name, int weight) {
            return new Spec(name, weight, 0, ServerState.READY, 0);
        }
    }

    private TestBackends() {
    }

    static Backend of(List<Spec> specs) {
        List<Spec> copy = List.copyOf(specs);
        Backend backend = LoadBalancer.builder()
                .eventLoops(1)
                .backend("b", b -> {
                    for (int i = 0; i < copy.size(); i++) {
                        Spec s = copy.get(i);
                        b.server(s.name(), new InetSocketAddress("127.0.0.1", 10_001 + i), o -> o
                                .weight(s.weight()).maxConnections(s.maxConnections()).state(s.state()));
                    }
                })
                .frontend("f", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("b"))
                .build()
                .backend("b");
        for (int i = 0; i < copy.size(); i++) {
            Server server = backend.servers().get(i);
            for (int c = 0; c < copy.get(i).connections(); c++) {
                if (!EngineAccess.live(server).tryAcquire()) {
                    throw new IllegalArgumentException("more connections than the limit: " + copy.get(i));
                }
            }
        }
        return backend;
    }

    /** Ready servers with these weights and no limit, named s0, s1, ... */
    static Backend weighted(int... weights) {
        List<Spec> specs = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            specs.add(Spec.ready("s" + i, weights[i]));
        }
        return of(specs);
    }

    /** Ready servers of weight 1 with these names, in this order. */
    static Backend named(List<String> names) {
        List<Spec> specs = new ArrayList<>();
        for (String n : names) {
            specs.add(Spec.ready(n, 1));
        }
        return of(specs);
    }

    /** A balancer updated with the backend's usable servers. */
    static <B extends Balancer> B updated(B balancer, Backend backend) {
        balancer.update(backend.usableServers());
        return balancer;
    }

    /** A set of some servers only, as if the rest had been taken out. */
    static ServerSet setOf(List<Server> servers) {
        return new ServerSet(1, servers);
    }
}
