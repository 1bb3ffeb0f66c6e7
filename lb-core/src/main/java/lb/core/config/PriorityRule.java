package lb.core.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Puts the tunnels it matches in a priority class, from what is known of the client when it
 * is routed: its routing key (an MQTT client id), the user name its extractor read, its
 * address, and behind a TLS frontend its verified client certificate's subject. When every server of a backend is full, the backend's queue serves higher classes
 * first, with a bounded share for lower ones (see {@code BackendBuilder.queuePriorityBurst}).
 * A frontend tries its rules in order and the first that matches decides; a client none
 * matches is in class 0. A value: each setter returns a changed copy, and patterns are kept
 * as text, so two configurations compare with {@code equals}.
 *
 * <pre>{@code
 * frontend.priority(PriorityRule.priority(2).keyMatching("ctrl-.*"))
 *         .priority(PriorityRule.priority(1).from(Network.parse("10.20.0.0/16")))
 * }</pre>
 *
 * @param priority    1..{@value #MAX_PRIORITY}; higher is served first
 * @param keyPattern  a regular expression the whole routing key must match, or null for any
 *                    client (one without a key does not match a pattern)
 * @param userPattern a regular expression the whole user name must match, or null for any
 * @param sources     networks the client's address must lie in; empty for any
 * @param certificatePattern a regular expression the whole subject of the client's verified
 *                    certificate must match (RFC 2253 form, e.g. {@code CN=gw-7,O=Acme}), or
 *                    null for any client (one without a certificate does not match a pattern)
 */
public record PriorityRule(int priority, String keyPattern, String userPattern, List<Network> sources,
                           String certificatePattern) {
    /** The highest class; classes are few so a queue can keep one list per class. */
    public static final int MAX_PRIORITY = 7;

    public PriorityRule {
        if (priority < 1 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 1.." + MAX_PRIORITY + " (0 is for clients no rule "
                    + "matches), was " + priority);
        }
        check(keyPattern, "key pattern");
        check(userPattern, "user pattern");
        check(certificatePattern, "certificate pattern");
        sources = List.copyOf(Objects.requireNonNull(sources, "sources"));
    }

    /** A rule giving every client {@code priority}; narrow it with the other setters. */
    public static PriorityRule priority(int priority) {
        return new PriorityRule(priority, null, null, List.of(), null);
    }

    /** Only clients whose whole routing key matches {@code regex}. */
    public PriorityRule keyMatching(String regex) {
        return new PriorityRule(priority, Objects.requireNonNull(regex, "key pattern"), userPattern, sources,
                certificatePattern);
    }

    /** Only clients whose whole user name (as the key extractor read it) matches {@code regex}. */
    public PriorityRule userMatching(String regex) {
        return new PriorityRule(priority, keyPattern, Objects.requireNonNull(regex, "user pattern"), sources,
                certificatePattern);
    }

    /** Only clients whose address lies in one of {@code networks}. */
    public PriorityRule from(List<Network> networks) {
        return new PriorityRule(priority, keyPattern, userPattern, networks, certificatePattern);
    }

    /** Only clients whose address lies in one of {@code networks}. */
    public PriorityRule from(Network... networks) {
        return from(List.of(networks));
    }

    /** Only clients whose verified TLS certificate's whole subject matches {@code regex}. */
    public PriorityRule certificateMatching(String regex) {
        return new PriorityRule(priority, keyPattern, userPattern, sources,
                Objects.requireNonNull(regex, "certificate pattern"));
    }

    private static void check(String regex, String what) {
        if (regex == null) {
            return;
        }
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("priority rule " + what + " '" + regex + "': " + e.getDescription());
        }
    }
}
