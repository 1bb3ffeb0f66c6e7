package lb.core;

import java.util.List;

/**
 * What {@link LoadBalancer#apply(LoadBalancerBuilder)} did: every difference between the running
 * configuration and the new one, each applied or reported as not applied. Empty when the two
 * were alike.
 */
public record Reconfigured(List<ConfigChange> changes) {
    public Reconfigured {
        changes = List.copyOf(changes);
    }

    /** The differences that were not applied (they need a restart, say). */
    public List<ConfigChange> notApplied() {
        return changes.stream().filter(c -> !c.applied()).toList();
    }

    /** One line per difference, as {@link ConfigChange#toString()} gives it: for logs and replies. */
    public List<String> lines() {
        return changes.stream().map(ConfigChange::toString).toList();
    }
}
