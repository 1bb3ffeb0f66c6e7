package lb.examples.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a fake broker did, kept across its deaths and restarts. Thread-safe: its loops write,
 * any thread reads; counts are touched once per connection or packet, never per byte.
 */
final class BrokerCounters {
    final Set<String> servedClientIds = ConcurrentHashMap.newKeySet();
    final AtomicInteger openConnections = new AtomicInteger();
    final LongAdder connectsAccepted = new LongAdder();
    final LongAdder connectsRefused = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder messagesDelivered = new LongAdder();
    /** Wills published: connections that ended without a normal DISCONNECT. */
    final LongAdder willsPublished = new LongAdder();
    /** Numbers the identifiers given to clients that connect with an empty one. */
    final AtomicLong assignedClientIds = new AtomicLong();
}
