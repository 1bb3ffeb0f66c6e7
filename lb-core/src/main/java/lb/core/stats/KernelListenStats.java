package lb.core.stats;

import java.util.OptionalLong;

/**
 * The kernel's counters of connections it dropped at listening sockets, for the whole host
 * (its network namespace), not this process alone: compare their growth with this process's
 * accept queues. Absent (not zero) where the platform does not show them; sampled at most
 * once a second.
 *
 * @param listenOverflows  connections dropped because an accept queue was full
 *                         ({@code ListenOverflows} in {@code /proc/net/netstat})
 * @param listenDrops      connections dropped at a listener for any reason, overflows
 *                         included ({@code ListenDrops})
 * @param sampledAtMillis  when these and the accept queues were read (epoch milliseconds)
 * @param sampleFailures   readings that could not be parsed (each logged; figures absent then)
 */
public record KernelListenStats(OptionalLong listenOverflows, OptionalLong listenDrops, long sampledAtMillis,
                                long sampleFailures) {
}
