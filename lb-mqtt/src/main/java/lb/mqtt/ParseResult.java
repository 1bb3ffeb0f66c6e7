package lb.mqtt;

/**
 * What {@link MqttConnectParser#parse} made of the bytes so far: {@link Status#NEED_MORE},
 * {@link Status#VALID} with the {@link Connect}, or {@link Status#INVALID} with the
 * {@link Violation}. NEED_MORE and every INVALID are shared constants, so only a valid CONNECT
 * costs an object.
 */
public final class ParseResult {
    public enum Status { NEED_MORE, VALID, INVALID }

    /** The packet is not complete yet: call again with more bytes. */
    public static final ParseResult NEED_MORE = new ParseResult(Status.NEED_MORE, null, null, null);

    /** One INVALID per violation, for an unknown version (column 0) and for each version. */
    private static final ParseResult[][] INVALID = new ParseResult[Violation.values().length][];

    static {
        MqttVersion[] versions = MqttVersion.values();
        for (Violation v : Violation.values()) {
            ParseResult[] row = new ParseResult[1 + versions.length];
            row[0] = new ParseResult(Status.INVALID, null, v, null);
            for (MqttVersion version : versions) {
                row[1 + version.ordinal()] = new ParseResult(Status.INVALID, null, v, version);
            }
            INVALID[v.ordinal()] = row;
        }
    }

    private final Status status;
    private final Connect connect;
    private final Violation violation;
    private final MqttVersion version;

    private ParseResult(Status status, Connect connect, Violation violation, MqttVersion version) {
        this.status = status;
        this.connect = connect;
        this.violation = violation;
        this.version = version;
    }

    static ParseResult valid(Connect connect) {
        return new ParseResult(Status.VALID, connect, null, connect.version());
    }

    static ParseResult invalid(Violation violation, MqttVersion version) {
        return INVALID[violation.ordinal()][version == null ? 0 : 1 + version.ordinal()];
    }

    public Status status() {
        return status;
    }

    public boolean isValid() {
        return status == Status.VALID;
    }

    /** The parsed CONNECT when VALID, else null. */
    public Connect connect() {
        return connect;
    }

    /** The rule broken when INVALID, else null. */
    public Violation violation() {
        return violation;
    }

    /**
     * The client's version as far as the parser got. For an INVALID it is the version whose rules
     * were applied and whose CONNACK layout the client reads; for an unsupported protocol level,
     * the layout that level suggests (5.0 from level 5 up, else 3.1.1); null if the parser did not
     * get as far as the protocol level.
     */
    public MqttVersion version() {
        return version;
    }

    /** The rule broken, cited by number, and what broke; null unless INVALID. */
    public String reason() {
        return violation == null ? null : violation.reason(version);
    }

    @Override
    public String toString() {
        return switch (status) {
            case NEED_MORE -> "NEED_MORE";
            case VALID -> "VALID(" + connect + ")";
            case INVALID -> "INVALID(" + reason() + ")";
        };
    }
}
