package lb.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import lb.core.ConfigChange.Scope;
import lb.core.config.BackendPolicy;
import lb.core.config.FrontendPolicy;
import lb.core.config.ServerSpec;
import lb.core.engine.EventLoopGroup;
import lb.core.engine.LiveBackend;
import lb.core.engine.LiveFrontend;
import lb.core.engine.LiveServer;
import lb.core.model.AcceptMode;
import lb.core.stick.StickTable;

/**
 * Applies a new configuration to a running load balancer as a diff, without touching
 * established tunnels: servers added, removed (after draining) or changed; backends added;
 * policies, limits and timeouts swapped; frontends added, removed or re-pointed, listening
 * sockets kept open where the address stays. What cannot change while running (event loops,
 * buffer size, accept mode, a server's address) is reported, not applied.
 *
 * <p>Running state survives: a stick table keeps its entries when the new configuration also
 * has one, and health checks keep their state when their settings did not change.
 */
final class Reconfiguration {
    private final LoadBalancer lb;
    private final LoadBalancerBuilder next;
    private final List<ConfigChange> changes = new ArrayList<>();

    private Reconfiguration(LoadBalancer lb, LoadBalancerBuilder next) {
        this.lb = lb;
        this.next = next;
    }

    /** Applies {@code next} to {@code lb}; returns every difference, applied or not. */
    static Reconfigured apply(LoadBalancer lb, LoadBalancerBuilder next) {
        next.validate();
        Reconfiguration r = new Reconfiguration(lb, next);
        r.checkNewAddressesAreFree();
        r.global();
        r.backends();
        r.frontends();
        return new Reconfigured(r.changes);
    }

    private void applied(Scope scope, String description) {
        changes.add(ConfigChange.applied(scope, description));
    }

    private void notApplied(Scope scope, String description) {
        changes.add(ConfigChange.notApplied(scope, description));
    }

    private void global() {
        EventLoopGroup loops = lb.loops();
        if (next.eventLoops != loops.loops().size()) {
            notApplied(Scope.GLOBAL, "eventLoops " + next.eventLoops + " (needs a restart)");
        }
        if (next.acceptMode != lb.acceptMode()) {
            notApplied(Scope.GLOBAL, "acceptMode " + next.acceptMode + " (needs a restart)");
        }
        if (next.bufferSize != lb.bufferSize()) {
            notApplied(Scope.GLOBAL, "bufferSize " + next.bufferSize + " (needs a restart)");
        }
        int max = next.globalMaxConnections();
        if (max != loops.limit().max()) {
            loops.limit().max(max);
            applied(Scope.GLOBAL, "maxConnections " + max);
        }
    }

    /**
     * Fails before anything changes if an address to listen on is taken (by another process,
     * say): probed with a socket bound the way listeners bind, but never listening, so no
     * client can reach it.
     */
    private void checkNewAddressesAreFree() {
        for (FrontendBuilder spec : next.frontends.values()) {
            LiveFrontend current = lb.frontendOrNull(spec.name);
            for (java.net.InetSocketAddress a : current == null ? spec.listen : added(current, spec)) {
                if (a.getPort() == 0) {
                    continue;
                }
                try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open()) {
                    probe.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
                    if (lb.acceptMode() == AcceptMode.REUSE_PORT) {
                        probe.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
                    }
                    probe.bind(a);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("frontend '" + spec.name + "': cannot listen on " + a + ": "
                            + e.getMessage() + " (nothing was changed)", e);
                }
            }
        }
    }

    /** The addresses {@code spec} adds to the running frontend {@code f}. */
    private static List<java.net.InetSocketAddress> added(LiveFrontend f, FrontendBuilder spec) {
        List<java.net.InetSocketAddress> added = new ArrayList<>();
        for (java.net.InetSocketAddress a : spec.listen) {
            if (!f.listenAddresses().contains(a) && !f.boundAddresses().contains(a)) {
                added.add(a);
            }
        }
        return added;
    }

    private void backends() {
        for (Backend running : lb.backends()) {
            if (!next.backends.containsKey(running.name())) {
                notApplied(Scope.BACKEND, "backend " + running.name() + " removal (a running backend stays until a restart)");
            }
        }
        for (BackendBuilder spec : next.backends.values()) {
            LiveBackend current = lb.backendOrNull(spec.name);
            if (current == null) {
                lb.addBackend(spec);
                applied(Scope.BACKEND, "backend " + spec.name + " added");
            } else {
                policy(current, spec);
                servers(current, spec);
            }
        }
    }

    private void policy(LiveBackend b, BackendBuilder spec) {
        BackendPolicy old = b.policy();
        BackendPolicy fresh = spec.policy();
        String where = "backend " + b.name() + " ";
        String oldBalancer = old.balancerFactory().get().describe();
        String newBalancer = fresh.balancerFactory().get().describe();
        boolean sameBalancer = oldBalancer.equals(newBalancer);
        if (!sameBalancer) {
            applied(Scope.BACKEND, where + "balancer " + oldBalancer + " -> " + newBalancer);
        }
        boolean sameChecks = java.util.Objects.equals(old.healthCheck(), fresh.healthCheck());
        if (!sameChecks) {
            applied(Scope.BACKEND, where + "health check " + (fresh.healthCheck() == null ? "removed" : "changed"));
        }
        BackendPolicy merged = new BackendPolicy(
                sameBalancer ? old.balancerFactory() : fresh.balancerFactory(),
                stickTable(where, old.stickTable(), fresh.stickTable()),
                sameChecks ? old.healthCheck() : fresh.healthCheck(),
                fresh.connectTimeoutNs(), fresh.serverTimeoutNs(), fresh.retries(), fresh.redispatch(),
                fresh.maxQueue(), fresh.queueTimeoutNs(), fresh.queuePriorityBurst(), fresh.drainOnRemove(), fresh.tls(),
                fresh.maxConnectRate(), fresh.rebalanceOnAdd());
        BackendPolicy sameRest = new BackendPolicy(merged.balancerFactory(), merged.stickTable(), merged.healthCheck(),
                old.connectTimeoutNs(), old.serverTimeoutNs(), old.retries(), old.redispatch(),
                old.maxQueue(), old.queueTimeoutNs(), old.queuePriorityBurst(), old.drainOnRemove(), old.tls(),
                old.maxConnectRate(), fresh.rebalanceOnAdd());
        if (!merged.equals(sameRest)) {
            applied(Scope.BACKEND, where + "timeouts, retries or queue updated");
        }
        if (!java.util.Objects.equals(old.rebalanceOnAdd(), fresh.rebalanceOnAdd())) {
            applied(Scope.BACKEND, where + "rebalance on add " + (fresh.rebalanceOnAdd() == null ? "off"
                    : "within " + fresh.rebalanceOnAdd().tolerance() + " at " + fresh.rebalanceOnAdd().clientsPerSecond() + "/s"));
        }
        if (!java.util.Objects.equals(old.tls(), fresh.tls())) {
            applied(Scope.BACKEND, where + "TLS to servers " + (fresh.tls() == null ? "off" : "set") + " for new tunnels");
        }
        if (!merged.equals(old)) {
            b.policy(merged);
        }
    }

    /**
     * The table to run with: the running one when the settings are alike (entries kept), else
     * the new one with the running one's entries carried over.
     */
    private StickTable stickTable(String where, StickTable old, StickTable fresh) {
        if (old == null || fresh == null) {
            if (old != fresh) {
                applied(Scope.BACKEND, where + "stick table " + (fresh == null ? "removed" : "added: " + fresh.describe()));
            }
            return fresh;
        }
        if (old == fresh || old.describe().equals(fresh.describe())) {
            return old;
        }
        long nowNs = lb.loops().nowNs();
        int[] carried = new int[1];
        old.forEach(nowNs, e -> {
            if (e.server() != null && fresh.store(e.key(), e.server(), nowNs)) {
                carried[0]++;
            }
        });
        applied(Scope.BACKEND, where + "stick table " + old.describe() + " -> " + fresh.describe() + ", " + carried[0]
                + " entries carried over");
        return fresh;
    }

    private void servers(LiveBackend b, BackendBuilder spec) {
        Set<String> wanted = new HashSet<>();
        for (ServerSpec s : spec.servers) {
            wanted.add(s.name());
            LiveServer current = b.server(s.name());
            if (current == null) {
                b.adopt(s);
                applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " added");
            } else if (!current.address().equals(s.address())) {
                notApplied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " address change to " + s.address()
                        + " (add it under a new name and remove the old one)");
            } else {
                if (current.isBeingRemoved()) {
                    b.cancelRemoval(current);
                    applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " removal cancelled: it is back");
                }
                if (current.configuredWeight() != s.weight()) {
                    current.weight(s.weight());
                    applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " weight " + s.weight());
                }
                if (current.maxConnections() != s.maxConnections()) {
                    current.maxConnections(s.maxConnections());
                    applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " maxConnections " + s.maxConnections());
                }
                if (current.maxConnectRate() != s.maxConnectRate()) {
                    current.maxConnectRate(s.maxConnectRate());
                    applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " maxConnectRate " + s.maxConnectRate());
                }
                if (current.spec().checkPort() != s.checkPort()) {
                    notApplied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " check port " + s.checkPort()
                            + " (add it under a new name and remove the old one)");
                }
                if (current.state() != s.state()) {
                    current.state(s.state());
                    applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " state " + s.state());
                }
            }
        }
        for (LiveServer s : b.servers()) {
            if (!wanted.contains(s.name()) && !s.isBeingRemoved()) {
                b.removeServer(s.name(), b.policy().drainOnRemove());
                applied(Scope.SERVER, "server " + b.name() + "/" + s.name() + " removed after draining up to "
                        + b.policy().drainOnRemove().toMillis() + " ms");
            }
        }
    }

    private void frontends() {
        Set<String> wanted = new HashSet<>();
        for (FrontendBuilder spec : next.frontends.values()) {
            wanted.add(spec.name);
            LiveFrontend current = lb.frontendOrNull(spec.name);
            if (current == null) {
                lb.addFrontend(spec, lb::backendOrNull);
                applied(Scope.FRONTEND, "frontend " + spec.name + " added");
                continue;
            }
            FrontendPolicy policy = spec.policy();
            if (!policy.equals(current.policy())) {
                current.policy(policy, lb::backendOrNull);
                applied(Scope.FRONTEND, "frontend " + spec.name + " policy updated");
            }
            if (current.limit().max() != spec.maxConnections) {
                current.limit().max(spec.maxConnections);
                applied(Scope.FRONTEND, "frontend " + spec.name + " maxConnections " + spec.maxConnections);
            }
            addresses(current, spec);
        }
        for (Frontend view : lb.frontends()) {
            LiveFrontend f = view.live();
            if (!wanted.contains(f.name())) {
                lb.removeFrontend(f);
                applied(Scope.FRONTEND, "frontend " + f.name() + " removed (its tunnels go on)");
            }
        }
    }

    /**
     * An address stays when the new configuration names it as configured or as bound (a port-0
     * address is known by the port it got), so its listening sockets are kept.
     */
    private void addresses(LiveFrontend f, FrontendBuilder spec) {
        List<java.net.InetSocketAddress> configured = f.listenAddresses();
        List<java.net.InetSocketAddress> bound = f.boundAddresses();
        List<java.net.InetSocketAddress> kept = new ArrayList<>();
        List<java.net.InetSocketAddress> added = new ArrayList<>();
        for (java.net.InetSocketAddress a : spec.listen) {
            int i = configured.indexOf(a);
            if (i < 0) {
                i = bound.indexOf(a);
            }
            if (i >= 0) {
                kept.add(configured.get(i));
            } else {
                added.add(a);
            }
        }
        List<java.net.InetSocketAddress> removed = new ArrayList<>(configured);
        removed.removeAll(kept);
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        List<java.net.InetSocketAddress> all = new ArrayList<>(kept);
        all.addAll(added);
        lb.relisten(f, all, added, removed);
        applied(Scope.FRONTEND, "frontend " + f.name() + " listens on " + f.boundAddresses());
    }
}
