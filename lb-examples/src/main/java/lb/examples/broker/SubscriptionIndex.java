package lb.examples.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connections subscribe to which filters, for one life of a broker. Shared by its loops:
 * subscribing and unsubscribing (rare) update concurrent maps atomically per filter; matching a
 * publish (frequent) only reads them, which takes no lock.
 *
 * <p>Filters without wildcards are found by looking the topic up; wildcard filters are tested
 * one by one, so a load of per-client exact topics stays cheap to match.
 */
final class SubscriptionIndex {
    private final ConcurrentHashMap<String, Map<BrokerConnection, Integer>> exact = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Map<BrokerConnection, Integer>> wildcard = new ConcurrentHashMap<>();

    /** Adds or replaces {@code subscriber}'s subscription to {@code filter} with granted {@code qos}. */
    void add(String filter, BrokerConnection subscriber, int qos) {
        mapFor(filter).compute(filter, (f, subscribers) -> {
            Map<BrokerConnection, Integer> set = subscribers != null ? subscribers : new ConcurrentHashMap<>();
            set.put(subscriber, qos);
            return set;
        });
    }

    /** Removes the subscription, dropping the filter when its last subscriber goes. */
    void remove(String filter, BrokerConnection subscriber) {
        mapFor(filter).computeIfPresent(filter, (f, subscribers) -> {
            subscribers.remove(subscriber);
            return subscribers.isEmpty() ? null : subscribers;
        });
    }

    /** Adds to {@code out} the subscriber set of every filter matching {@code topic}. */
    void collect(String topic, List<Map<BrokerConnection, Integer>> out) {
        Map<BrokerConnection, Integer> direct = exact.get(topic);
        if (direct != null) {
            out.add(direct);
        }
        if (wildcard.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Map<BrokerConnection, Integer>> entry : wildcard.entrySet()) {
            if (TopicFilter.matches(entry.getKey(), topic)) {
                out.add(entry.getValue());
            }
        }
    }

    private ConcurrentHashMap<String, Map<BrokerConnection, Integer>> mapFor(String filter) {
        return TopicFilter.hasWildcard(filter) ? wildcard : exact;
    }
}
