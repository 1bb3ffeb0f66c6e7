package lb.core.config;

import java.util.Objects;

/**
 * Sends the tunnels whose routing key matches to another backend than the frontend's own
 * (HAProxy's {@code use_backend ... if}): say, a TLS server name to the broker cluster that
 * serves it, or client ids of one tenant to its brokers. A frontend tries its routes in order;
 * the first that matches picks the backend, and a key no route matches (or no key) goes to the
 * frontend's backend. A value, compared by a reload.
 *
 * @param match   how {@code value} is compared with the key
 * @param value   the key, its start or its end
 * @param backend the backend's name
 */
public record KeyRoute(Match match, String value, String backend) {
    public enum Match { EXACT, PREFIX, SUFFIX }

    public KeyRoute {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(backend, "backend");
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a key route needs a key to match, for backend '" + backend + "'");
        }
    }

    /** Keys equal to {@code key} go to {@code backend}. */
    public static KeyRoute whenKeyIs(String key, String backend) {
        return new KeyRoute(Match.EXACT, key, backend);
    }

    /** Keys that start with {@code prefix} go to {@code backend}. */
    public static KeyRoute whenKeyStartsWith(String prefix, String backend) {
        return new KeyRoute(Match.PREFIX, prefix, backend);
    }

    /** Keys that end with {@code suffix} (a domain, say: {@code .tenant-a.example.com}) go to {@code backend}. */
    public static KeyRoute whenKeyEndsWith(String suffix, String backend) {
        return new KeyRoute(Match.SUFFIX, suffix, backend);
    }

    /**
     * The pattern form the gateway reads: {@code *SUFFIX}, {@code PREFIX*} or an exact key.
     */
    public static KeyRoute parse(String pattern, String backend) {
        if (pattern.length() > 1 && pattern.startsWith("*")) {
            return whenKeyEndsWith(pattern.substring(1), backend);
        }
        if (pattern.length() > 1 && pattern.endsWith("*")) {
            return whenKeyStartsWith(pattern.substring(0, pattern.length() - 1), backend);
        }
        return whenKeyIs(pattern, backend);
    }

    /** Whether {@code key} (null: none) takes this route. */
    public boolean matches(String key) {
        if (key == null) {
            return false;
        }
        return switch (match) {
            case EXACT -> key.equals(value);
            case PREFIX -> key.startsWith(value);
            case SUFFIX -> key.endsWith(value);
        };
    }

    @Override
    public String toString() {
        String pattern = switch (match) {
            case EXACT -> value;
            case PREFIX -> value + "*";
            case SUFFIX -> "*" + value;
        };
        return pattern + " -> " + backend;
    }
}
