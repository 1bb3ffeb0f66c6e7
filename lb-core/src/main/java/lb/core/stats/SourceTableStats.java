package lb.core.stats;

/**
 * A frontend's per-source limit table (refusals are counted among its terminations, as
 * {@code SOURCE_LIMITED} and {@code SOURCE_RATE_LIMITED}).
 *
 * @param blocks    client address blocks counted now
 * @param capacity  the most it counts at once
 * @param uncounted connections let in without being counted because the table was full
 */
public record SourceTableStats(int blocks, int capacity, long uncounted) {
}
