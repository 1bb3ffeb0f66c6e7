package lb.core.stats;

import java.util.Map;

/**
 * A backend's latest rebalance: what it planned to move and how far it got.
 *
 * @param running          true while clients are still being moved
 * @param startedAtMillis  when it began (epoch milliseconds)
 * @param clientsPerSecond its pace
 * @param planned          clients it set out to move (0: the spread was within tolerance)
 * @param moved            clients it has moved so far
 * @param from             per server, the clients planned to leave it
 * @param to               per server, the clients planned to come to it (where their stick
 *                         entries now point)
 * @param cause            why it ran: {@code "asked"}, or the servers whose addition started it
 *                         (as {@code "added: d, e"})
 */
public record RebalanceStats(boolean running, long startedAtMillis, int clientsPerSecond, int planned, long moved,
                             Map<String, Integer> from, Map<String, Integer> to, String cause) {
    public RebalanceStats {
        from = Map.copyOf(from);
        to = Map.copyOf(to);
    }
}
