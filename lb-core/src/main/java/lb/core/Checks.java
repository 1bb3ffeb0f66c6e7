package lb.core;

import java.time.Duration;
import java.util.Objects;

/** Builder value checks whose messages name where ("backend 'b': ") and which field. */
final class Checks {
    private Checks() {
    }

    static Duration positive(String where, Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(where + field + " must be > 0, was " + d);
        }
        return d;
    }

    static Duration notNegative(String where, Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative()) {
            throw new IllegalArgumentException(where + field + " must be >= 0, was " + d);
        }
        return d;
    }
}
