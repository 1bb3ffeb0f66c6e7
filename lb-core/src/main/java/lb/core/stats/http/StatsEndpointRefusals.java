package lb.core.stats.http;

/**
 * What a {@link StatsEndpoint} turned away or cut off since it started, read with
 * {@link StatsEndpoint#refusals()}. Each count is exact; the five are read one after another,
 * not at one instant.
 *
 * @param overLimit          connections reset on accept because the connection bound was reached
 * @param readHeaderTimeouts connections closed because their request head did not arrive in time
 * @param writeTimeouts      connections closed because their client did not take the answer in time
 * @param malformed          requests answered 400 (not HTTP/1.x as the endpoint reads it) or 431 (head too large)
 * @param unauthorized       requests answered 401 (basic auth on, credentials missing or wrong)
 */
public record StatsEndpointRefusals(long overLimit, long readHeaderTimeouts, long writeTimeouts, long malformed,
                                    long unauthorized) {
}
