package lb.core.health;

/** What a {@link ReplyMatcher} makes of the bytes a server answered so far. */
public final class Judgement {
    public static final Judgement PASS = new Judgement(null);
    public static final Judgement NEED_MORE = new Judgement(null);

    private final String reason;

    private Judgement(String reason) {
        this.reason = reason;
    }

    /** The reply is wrong; {@code reason} says how (it is logged with the state change). */
    public static Judgement fail(String reason) {
        return new Judgement(java.util.Objects.requireNonNull(reason, "reason"));
    }

    public boolean isPass() {
        return this == PASS;
    }

    public boolean isNeedMore() {
        return this == NEED_MORE;
    }

    /** Why it failed, or null. */
    public String reason() {
        return reason;
    }
}
