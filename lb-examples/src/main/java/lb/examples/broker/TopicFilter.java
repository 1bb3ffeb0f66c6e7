package lb.examples.broker;

/**
 * Topic names and filters (MQTT 3.1.1 section 4.7, MQTT 5.0 section 4.7). Levels are separated
 * by {@code /}; {@code +} matches exactly one level, {@code #} the parent level and any number
 * of levels below. Filters starting with a wildcard do not match topics starting with {@code $}.
 * Stateless; matching walks both strings once and allocates nothing.
 */
public final class TopicFilter {
    private TopicFilter() {
    }

    /** True when {@code filter} is a valid subscription filter. */
    public static boolean isValidFilter(String filter) {
        int length = filter.length();
        if (length == 0 || filter.indexOf('\u0000') >= 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = filter.charAt(i);
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == length - 1 || filter.charAt(i + 1) == '/';
            if (c == '+' && !(levelStart && levelEnd)) {
                return false;
            }
            if (c == '#' && !(levelStart && i == length - 1)) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code topic} may be published to: non-empty, no wildcard characters. */
    public static boolean isValidTopic(String topic) {
        return !topic.isEmpty() && topic.indexOf('+') < 0 && topic.indexOf('#') < 0 && topic.indexOf('\u0000') < 0;
    }

    /** True when {@code filter} contains {@code +} or {@code #}. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /** True when the valid {@code filter} matches the valid {@code topic}. */
    public static boolean matches(String filter, String topic) {
        char first = filter.charAt(0);
        if (topic.charAt(0) == '$' && (first == '+' || first == '#')) {
            return false;
        }
        int f = 0;
        int t = 0;
        int filterLength = filter.length();
        int topicLength = topic.length();
        while (true) {
            if (f < filterLength && filter.charAt(f) == '#') {
                return true;
            }
            int filterLevelEnd = levelEnd(filter, f);
            int topicLevelEnd = levelEnd(topic, t);
            boolean plus = filterLevelEnd - f == 1 && filter.charAt(f) == '+';
            if (!plus && (filterLevelEnd - f != topicLevelEnd - t
                    || !filter.regionMatches(f, topic, t, filterLevelEnd - f))) {
                return false;
            }
            boolean filterDone = filterLevelEnd == filterLength;
            boolean topicDone = topicLevelEnd == topicLength;
            if (topicDone) {
                // "a/#" also matches "a": the only filter left that still matches is "/#".
                return filterDone || (filterLevelEnd + 2 == filterLength && filter.charAt(filterLevelEnd + 1) == '#');
            }
            if (filterDone) {
                return false;
            }
            f = filterLevelEnd + 1;
            t = topicLevelEnd + 1;
        }
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
