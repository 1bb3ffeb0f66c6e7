package lb.mqtt;

/**
 * A CONNECT field that is located while parsing but read only when asked for, through
 * {@link Connect#text} or {@link Connect#bytes}: parsing copies none of them.
 */
public enum Field {
    CLIENT_ID(true),
    WILL_TOPIC(true),
    WILL_PAYLOAD(false),
    USERNAME(true),
    PASSWORD(false),
    /** 5.0: the CONNECT property list, raw, without its length. */
    PROPERTIES(false),
    /** 5.0 property. */
    AUTHENTICATION_METHOD(true),
    /** 5.0 property. */
    AUTHENTICATION_DATA(false),
    /** 5.0: the will property list, raw, without its length. */
    WILL_PROPERTIES(false),
    /** 5.0 will property. */
    WILL_CONTENT_TYPE(true),
    /** 5.0 will property. */
    WILL_RESPONSE_TOPIC(true),
    /** 5.0 will property. */
    WILL_CORRELATION_DATA(false);

    private final boolean text;

    Field(boolean text) {
        this.text = text;
    }

    /** Whether the field is a UTF-8 string (else binary data). */
    public boolean isText() {
        return text;
    }
}
