package lb.core;

import lb.core.engine.EventLoopGroup;
import lb.core.engine.LiveBackend;
import lb.core.engine.LiveFrontend;
import lb.core.engine.LiveServer;
import lb.core.model.Server;

/**
 * What tests reach behind the API: the engine objects of a running load balancer. Test code
 * only: applications see the API types, which expose no engine hooks.
 */
public final class EngineAccess {
    private EngineAccess() {
    }

    public static EventLoopGroup loops(LoadBalancer lb) {
        return lb.loops();
    }

    public static LiveBackend live(Backend b) {
        return b.live();
    }

    public static LiveFrontend live(Frontend f) {
        return f.live();
    }

    /** Every server a load balancer makes is a live one. */
    public static LiveServer live(Server s) {
        return (LiveServer) s;
    }

    public static int serverSlotsInUse(LoadBalancer lb) {
        return lb.serverSlotsInUse();
    }
}
