package lb.core.engine;

import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;

import lb.core.config.Network;
import lb.core.config.PriorityRule;

/**
 * A frontend's priority rules, compiled once per policy: which class a new tunnel is in.
 * Immutable and thread-safe. Called once per tunnel when it is routed; a pattern's matcher is
 * the only allocation.
 */
final class PriorityClasses {
    static final PriorityClasses NONE = new PriorityClasses(List.of());

    private final int[] priorities;
    private final Pattern[] keys;
    private final Pattern[] users;
    private final Network[][] sources;
    private final Pattern[] certificates;

    PriorityClasses(List<PriorityRule> rules) {
        int n = rules.size();
        priorities = new int[n];
        keys = new Pattern[n];
        users = new Pattern[n];
        sources = new Network[n][];
        certificates = new Pattern[n];
        for (int i = 0; i < n; i++) {
            PriorityRule r = rules.get(i);
            priorities[i] = r.priority();
            keys[i] = r.keyPattern() == null ? null : Pattern.compile(r.keyPattern());
            users[i] = r.userPattern() == null ? null : Pattern.compile(r.userPattern());
            sources[i] = r.sources().toArray(new Network[0]);
            certificates[i] = r.certificatePattern() == null ? null : Pattern.compile(r.certificatePattern());
        }
    }

    static PriorityClasses of(List<PriorityRule> rules) {
        return rules.isEmpty() ? NONE : new PriorityClasses(rules);
    }

    /**
     * The class of the first rule that matches; 0 if none does. {@code key}, {@code user} and
     * {@code certificateSubject} may be null.
     */
    int classify(String key, String user, InetAddress source, String certificateSubject) {
        for (int i = 0; i < priorities.length; i++) {
            if (matches(keys[i], key) && matches(users[i], user) && inside(sources[i], source)
                    && matches(certificates[i], certificateSubject)) {
                return priorities[i];
            }
        }
        return 0;
    }

    private static boolean matches(Pattern pattern, String text) {
        return pattern == null || text != null && pattern.matcher(text).matches();
    }

    private static boolean inside(Network[] networks, InetAddress source) {
        if (networks.length == 0) {
            return true;
        }
        for (Network n : networks) {
            if (n.contains(source)) {
                return true;
            }
        }
        return false;
    }
}
