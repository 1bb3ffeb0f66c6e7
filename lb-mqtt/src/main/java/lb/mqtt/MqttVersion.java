package lb.mqtt;

/**
 * The MQTT versions a CONNECT can speak, told apart by the protocol name and level at the start
 * of its variable header (3.1.1 §3.1.2.1-2, 5.0 §3.1.2.1-2).
 */
public enum MqttVersion {
    /** MQTT 3.1: protocol name "MQIsdp", level 3. */
    V3_1("MQIsdp", 3),
    /** MQTT 3.1.1: protocol name "MQTT", level 4. */
    V3_1_1("MQTT", 4),
    /** MQTT 5.0: protocol name "MQTT", level 5. */
    V5("MQTT", 5);

    /** The bit some brokers (mosquitto bridges) add to the level to announce a bridge. */
    private static final int BRIDGE_BIT = 0x80;

    private final String protocolName;
    private final int level;

    MqttVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    public String protocolName() {
        return protocolName;
    }

    public int level() {
        return level;
    }

    /** The version a name ("MQIsdp" or not) and level denote together, or null for any other pair. */
    static MqttVersion of(boolean mqisdp, int level) {
        if (mqisdp) {
            return level == 3 ? V3_1 : null;
        }
        return level == 4 ? V3_1_1 : level == 5 ? V5 : null;
    }

    /**
     * Whose CONNACK layout a client that asked for an unsupported {@code level} will understand:
     * levels from 5 up expect the 5.0 layout, lower ones the 3.1.1 layout. The bridge bit is
     * ignored, so a bridge asking for level 0x84 gets the 3.1.1 refusal it knows how to retry on.
     */
    static MqttVersion replyingTo(int level) {
        return (level & ~BRIDGE_BIT) >= 5 ? V5 : V3_1_1;
    }
}
