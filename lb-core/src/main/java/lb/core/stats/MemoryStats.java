package lb.core.stats;

/**
 * The memory budget: what clients may make the process hold (see {@code
 * LoadBalancerBuilder.memoryBudget}).
 *
 * @param budgetBytes        the budget
 * @param usedBytes          held now: inspected first bytes and pooled buffers, idle ones included
 * @param refusals           reservations refused since start (each one a refused client, or a
 *                           buffer lent from the heap instead)
 * @param buffersOverBudget  heap buffers lent to established tunnels because the budget was spent
 */
public record MemoryStats(long budgetBytes, long usedBytes, long refusals, long buffersOverBudget) {
}
