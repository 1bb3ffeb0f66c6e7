package lb.core;

import java.net.InetSocketAddress;
import java.util.List;

import lb.core.config.FrontendPolicy;
import lb.core.engine.LiveFrontend;

/**
 * A named set of listening addresses feeding one backend, as the application sees it in a
 * running load balancer: its addresses (those actually bound, once started), its limit and
 * its policy (client-side timeouts, key extractor, backend). Thread-safe.
 */
public final class Frontend {
    private final LiveFrontend live;

    Frontend(LiveFrontend live) {
        this.live = live;
    }

    LiveFrontend live() {
        return live;
    }

    public String name() {
        return live.name();
    }

    /** The configured addresses (port 0 means any free port). */
    public List<InetSocketAddress> listenAddresses() {
        return live.listenAddresses();
    }

    /** The addresses actually bound, with real ports; empty before start. */
    public List<InetSocketAddress> boundAddresses() {
        return live.boundAddresses();
    }

    public int backlog() {
        return live.backlog();
    }

    /** Live tunnels this frontend holds at most; 0 = no limit of its own. */
    public int maxConnections() {
        return live.limit().max();
    }

    /** Live tunnels of this frontend now, counting those still being set up. */
    public int connections() {
        return live.limit().count();
    }

    /** The timeouts, key extractor and backend in force now. */
    public FrontendPolicy policy() {
        return live.policy();
    }

    /** The name of the backend that serves this frontend's new clients. */
    public String backendName() {
        return live.backend().name();
    }

    @Override
    public String toString() {
        return "frontend " + name();
    }
}
