package lb.core.stats;

import java.util.List;

/**
 * One frontend.
 *
 * @param addresses the bound listening addresses, as host:port
 * @param backend   the backend it feeds
 */
public record FrontendStats(String name, List<String> addresses, String backend, Traffic traffic) {
    public FrontendStats {
        addresses = List.copyOf(addresses);
    }
}
