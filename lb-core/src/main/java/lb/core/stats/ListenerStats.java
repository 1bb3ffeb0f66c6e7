package lb.core.stats;

import java.util.OptionalLong;

/**
 * One listening address of a frontend, with the kernel's queue in front of it: connections
 * whose handshake completed and that wait to be accepted, which is where clients wait while
 * the frontend is at its limit. The kernel's figures are absent (not zero) where the platform
 * does not show them (Linux's {@code /proc} does), and are sampled at most once a second.
 *
 * @param address          host:port, as bound
 * @param backlog          the accept backlog as configured
 * @param acceptQueue      connections waiting to be accepted now (the socket's, or the sum of
 *                         the sockets' under {@code SO_REUSEPORT})
 * @param acceptQueueLimit how many the kernel queues: the backlog, capped by
 *                         {@code net.core.somaxconn} when the socket was bound (the kernel
 *                         lets one more in before it drops)
 */
public record ListenerStats(String address, int backlog, OptionalLong acceptQueue, OptionalLong acceptQueueLimit) {
}
