package lb.core.stats;

/**
 * A backend's stick table.
 *
 * @param entries  keys held now, counting expired ones not yet reclaimed
 * @param capacity the most it holds before evicting
 */
public record StickTableStats(int entries, int capacity) {
}
