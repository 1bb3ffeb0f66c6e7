package lb.core.stats;

import java.util.List;

/**
 * One frontend.
 *
 * @param addresses the bound listening addresses, as host:port
 * @param backend   the backend it feeds
 * @param listeners each listening address with the kernel's accept queue in front of it
 * @param sources   its per-source limit table, or null when it sets no per-source limit
 */
public record FrontendStats(String name, List<String> addresses, String backend, Traffic traffic,
                            List<ListenerStats> listeners, SourceTableStats sources, TlsStats tls) {
    public FrontendStats {
        addresses = List.copyOf(addresses);
        listeners = List.copyOf(listeners);
    }
}
