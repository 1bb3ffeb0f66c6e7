package lb.core;

/**
 * One difference between the running configuration and the one given to
 * {@link LoadBalancer#apply(LoadBalancerBuilder)}: applied, or reported as not applied (it needs a
 * restart, say) with the reason.
 *
 * @param applied     true if the running load balancer now follows the new configuration here
 * @param scope       what the difference is about
 * @param description what changed, for people, e.g. {@code server brokers/b weight 3}
 */
public record ConfigChange(boolean applied, Scope scope, String description) {
    /** What a difference is about. */
    public enum Scope { GLOBAL, BACKEND, SERVER, FRONTEND }

    static ConfigChange applied(Scope scope, String description) {
        return new ConfigChange(true, scope, description);
    }

    static ConfigChange notApplied(Scope scope, String description) {
        return new ConfigChange(false, scope, description);
    }

    /** The description, prefixed with "not applied: " when it was not. */
    @Override
    public String toString() {
        return applied ? description : "not applied: " + description;
    }
}
