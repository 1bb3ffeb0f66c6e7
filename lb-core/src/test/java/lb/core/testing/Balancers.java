package lb.core.testing;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import lb.core.BackendBuilder;
import lb.core.FrontendBuilder;
import lb.core.LoadBalancer;
import lb.core.LoadBalancerBuilder;

/** Shorthand for the one-frontend, one-backend balancers most tests need. */
public final class Balancers {
    private Balancers() {
    }

    public static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);

    public static LoadBalancer start(EventLog log, Consumer<BackendBuilder> backend) {
        return start(log, lb -> { }, backend, f -> { });
    }

    /** Frontend "f" on a free loopback port, backend "b" as {@code backend} describes; started. */
    public static LoadBalancer start(EventLog log, Consumer<BackendBuilder> backend, Consumer<FrontendBuilder> frontend) {
        return start(log, lb -> { }, backend, frontend);
    }

    public static LoadBalancer start(EventLog log, Consumer<LoadBalancerBuilder> global,
                                     Consumer<BackendBuilder> backend, Consumer<FrontendBuilder> frontend) {
        LoadBalancerBuilder b = LoadBalancer.builder().eventLoops(2);
        if (log != null) {
            b.listener(log);
        }
        global.accept(b);
        return b.backend("b", backend)
                .frontend("f", f -> {
                    f.listen(ANY_LOOPBACK_PORT).backend("b");
                    frontend.accept(f);
                })
                .build()
                .start();
    }

    public static InetSocketAddress address(LoadBalancer lb) {
        return lb.frontend("f").boundAddresses().get(0);
    }
}
