package lb.core.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;

import lb.core.config.FrontendPolicy;
import lb.core.config.KeyRoute;
import lb.core.config.Network;
import lb.core.config.SourceLimits;
import lb.core.limit.ConnectionLimit;
import lb.core.limit.SourceTable;
import lb.core.model.KeyExtractor;
import lb.core.tls.ReloadableServerEngines;

/**
 * A frontend as the engine runs it: listening addresses feeding one backend, its connection
 * limit, and its policy (client-side timeouts, optional {@link KeyExtractor}). Thread-safe:
 * the policy and its backend are swapped together on reconfiguration, the addresses are those
 * actually bound, known once the load balancer has started.
 */
public final class LiveFrontend {
    private final String name;
    private final int index;
    private final ConnectionLimit limit;
    private final int backlog;
    private volatile List<InetSocketAddress> listen;
    private volatile Routing routing;
    /** Makes each new client's TLS engine when the frontend terminates TLS; else null. */
    private volatile ReloadableServerEngines tls;
    /** Counts per client source block, while the policy sets a per-source limit; else null. */
    private volatile SourceTable sources;
    private volatile List<InetSocketAddress> bound = List.of();
    /** The kernel's cap on this frontend's accept queues when they were bound; -1 if unknown. */
    private volatile int acceptQueueLimit = -1;

    /**
     * Policy and backends (its own, and each key route's, in the routes' order), swapped as one
     * so a tunnel never sees one without the other.
     */
    private record Routing(FrontendPolicy policy, LiveBackend backend, LiveBackend[] routed, PriorityClasses classes) {
        static Routing of(FrontendPolicy policy, Function<String, LiveBackend> backends) {
            List<KeyRoute> routes = policy.keyRoutes();
            LiveBackend[] routed = new LiveBackend[routes.size()];
            for (int i = 0; i < routed.length; i++) {
                routed[i] = backends.apply(routes.get(i).backend());
            }
            return new Routing(policy, backends.apply(policy.backendName()), routed,
                    PriorityClasses.of(policy.priorityRules()));
        }
    }

    public LiveFrontend(String name, int index, List<InetSocketAddress> listen, int backlog, int maxConnections,
                        FrontendPolicy policy, Function<String, LiveBackend> backends) {
        this.name = name;
        this.index = index;
        this.listen = List.copyOf(listen);
        this.backlog = backlog;
        this.limit = new ConnectionLimit("frontend " + name, maxConnections);
        this.routing = Routing.of(policy, backends);
        this.tls = policy.tls() == null ? null : new ReloadableServerEngines(policy.tls());
        this.sources = sourceTable(policy.sourceLimits(), null);
    }

    public String name() {
        return name;
    }

    /** Where this frontend's counters sit in each loop's counter arrays; never reused. */
    public int index() {
        return index;
    }

    /** The configured addresses (port 0 means any free port). */
    public List<InetSocketAddress> listenAddresses() {
        return listen;
    }

    public void listenAddresses(List<InetSocketAddress> addresses) {
        this.listen = List.copyOf(addresses);
    }

    /** The addresses actually bound, with real ports; empty before start. */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
    }

    public void bound(List<InetSocketAddress> addresses) {
        this.bound = List.copyOf(addresses);
    }

    public int backlog() {
        return backlog;
    }

    /** How many connections the kernel queues for accepting: the backlog as capped when bound; absent if unknown. */
    public OptionalInt acceptQueueLimit() {
        int n = acceptQueueLimit;
        return n < 0 ? OptionalInt.empty() : OptionalInt.of(n);
    }

    void acceptQueueLimit(OptionalInt limit) {
        this.acceptQueueLimit = limit.orElse(-1);
    }

    public ConnectionLimit limit() {
        return limit;
    }

    public FrontendPolicy policy() {
        return routing.policy();
    }

    /** Replaces the policy and the backends it names; established tunnels keep their server. */
    public synchronized void policy(FrontendPolicy next, Function<String, LiveBackend> backends) {
        ReloadableServerEngines engines = tls;
        if (next.tls() == null) {
            tls = null;
        } else if (engines == null) {
            tls = new ReloadableServerEngines(next.tls());
        } else {
            engines.reload(next.tls()); // built before the swap: a bad key fails here, changing nothing
        }
        this.routing = Routing.of(next, backends);
        this.sources = sourceTable(next.sourceLimits(), sources);
    }

    /**
     * The table for {@code limits}: the running one when it counts alike (its counts go on
     * under the new limit values), a fresh one when it counts otherwise, none without a limit.
     * Tunnels counted in a replaced table give their count back to it; nothing else sees it.
     */
    private static SourceTable sourceTable(SourceLimits limits, SourceTable running) {
        if (!limits.isEnabled()) {
            return null;
        }
        if (running != null && running.countsAlike(limits)) {
            running.limits(limits);
            return running;
        }
        return new SourceTable(limits);
    }

    /** The per-source counts, or null when no per-source limit is set. */
    public SourceTable sources() {
        return sources;
    }

    /** The TLS engines of a frontend that terminates TLS, else null. */
    ReloadableServerEngines tls() {
        return tls;
    }

    /** Longest silence from the client before the tunnel closes; 0 = none. */
    public long clientTimeoutNs() {
        return policy().clientTimeoutNs();
    }

    /** How long a half-closed tunnel may wait for the other side to finish. */
    public long halfCloseTimeoutNs() {
        return policy().halfCloseTimeoutNs();
    }

    public boolean tcpKeepAlive() {
        return policy().tcpKeepAlive();
    }

    /** The extractor, or null when clients are routed without inspection. */
    public KeyExtractor keyExtractor() {
        return policy().keyExtractor();
    }

    public long inspectDelayNs() {
        return policy().inspectDelayNs();
    }

    public long tlsHandshakeTimeoutNs() {
        return policy().tlsHandshakeTimeoutNs();
    }

    public int inspectMaxBytes() {
        return policy().inspectMaxBytes();
    }

    /** True if some peers (the trusted ones) send a PROXY protocol header first. */
    public boolean acceptProxy() {
        return policy().acceptProxy();
    }

    /** Whether a PROXY header from {@code peer} is believed (and required). */
    public boolean trustsProxyFrom(InetAddress peer) {
        return Network.anyContains(policy().trustedProxies(), peer);
    }

    /** Connections per stick-table rate period a key may make; 0 = no limit. */
    public int maxKeyConnectionRate() {
        return policy().maxKeyConnectionRate();
    }

    public LiveBackend backend() {
        return routing.backend();
    }

    /** The backend for a tunnel with routing key {@code key} (null: none): the first key route that matches, else this frontend's. */
    public LiveBackend backendFor(String key) {
        Routing r = routing;
        if (key != null) {
            List<KeyRoute> routes = r.policy().keyRoutes();
            for (int i = 0; i < r.routed().length; i++) {
                if (routes.get(i).matches(key)) {
                    return r.routed()[i];
                }
            }
        }
        return r.backend();
    }

    /**
     * The priority class of a tunnel with this key, user name, address and client certificate
     * (key, user and certificate may be null); the certificate's subject is only formatted when
     * there are rules to match it against.
     */
    int priorityOf(String key, String user, InetAddress source, java.security.cert.X509Certificate certificate) {
        PriorityClasses classes = routing.classes();
        if (classes == PriorityClasses.NONE) {
            return 0;
        }
        return classes.classify(key, user, source,
                certificate == null ? null : certificate.getSubjectX500Principal().getName());
    }
}
