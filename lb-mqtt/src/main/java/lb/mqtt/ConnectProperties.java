package lb.mqtt;

import static lb.mqtt.WireFormat.failed;
import static lb.mqtt.WireFormat.failure;

import java.nio.ByteBuffer;

/**
 * Reads the two MQTT 5.0 property lists a CONNECT may carry, its own (5.0 §3.1.2.11) and its
 * will's (§3.1.3.2), into a {@link Connect}. Stateless. Answers positions and failures as
 * {@link WireFormat} does.
 *
 * <pre>
 * +-----------------+---------------------------------------------------------------+
 * | property length | variable byte integer: the bytes of the list that follow      |
 * | identifier      | a variable byte integer, but every 5.0 identifier is < 0x80,   |
 * | value           |   so one byte; any byte from 0x80 up names no property (§2.2.2.2) |
 * | ...             | identifier and value again, in any order                      |
 * +-----------------+---------------------------------------------------------------+
 *
 * CONNECT property               id    value                      rule
 * session expiry interval        0x11  four-byte integer          at most once
 * receive maximum                0x21  two-byte integer           at most once, not 0
 * maximum packet size            0x27  four-byte integer          at most once, not 0
 * topic alias maximum            0x22  two-byte integer           at most once
 * request response information   0x19  byte                       at most once, 0 or 1
 * request problem information    0x17  byte                       at most once, 0 or 1
 * user property                  0x26  string pair                any number
 * authentication method          0x15  UTF-8 string               at most once
 * authentication data            0x16  binary data                at most once, only with a method
 *
 * will property                  id    value                      rule
 * will delay interval            0x18  four-byte integer          at most once
 * payload format indicator       0x01  byte                       at most once, 0 or 1
 * message expiry interval        0x02  four-byte integer          at most once
 * content type                   0x03  UTF-8 string               at most once
 * response topic                 0x08  topic name                 at most once
 * correlation data               0x09  binary data                at most once
 * user property                  0x26  string pair                any number
 * </pre>
 *
 * <p>Any other identifier is malformed (§2.2.2.2); a repeat or a value out of range is a
 * protocol error ("It is a Protocol Error to include ... more than once").
 */
final class ConnectProperties {
    private static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    private static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    private static final int CONTENT_TYPE = 0x03;
    private static final int RESPONSE_TOPIC = 0x08;
    private static final int CORRELATION_DATA = 0x09;
    private static final int SESSION_EXPIRY_INTERVAL = 0x11;
    private static final int AUTHENTICATION_METHOD = 0x15;
    private static final int AUTHENTICATION_DATA = 0x16;
    private static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    private static final int WILL_DELAY_INTERVAL = 0x18;
    private static final int REQUEST_RESPONSE_INFORMATION = 0x19;
    private static final int RECEIVE_MAXIMUM = 0x21;
    private static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    private static final int USER_PROPERTY = 0x26;
    private static final int MAXIMUM_PACKET_SIZE = 0x27;

    private ConnectProperties() {
    }

    /** The CONNECT's property list, starting at its length. */
    static int readConnect(ByteBuffer b, int at, int end, Connect c) {
        long length = VariableByteInteger.decode(b, at, end);
        int start = listStart(length, at, end);
        if (failed(start)) {
            return start;
        }
        int stop = start + VariableByteInteger.value(length);
        c.locate(Field.PROPERTIES, start, stop - start);
        long seen = 0;
        at = start;
        while (at < stop) {
            int id = b.get(at++) & 0xFF;
            if (id != USER_PROPERTY) {
                if ((seen & bit(id)) != 0) {
                    return failure(Violation.PROPERTY_REPEATED);
                }
                seen |= bit(id);
            }
            switch (id) {
                case SESSION_EXPIRY_INTERVAL -> {
                    at = fixed(at, stop, 4);
                    if (!failed(at)) {
                        c.sessionExpiryInterval = WireFormat.u32(b, at - 4);
                    }
                }
                case RECEIVE_MAXIMUM -> {
                    at = fixed(at, stop, 2);
                    if (!failed(at)) {
                        c.receiveMaximum = WireFormat.u16(b, at - 2);
                        if (c.receiveMaximum == 0) {
                            return failure(Violation.RECEIVE_MAXIMUM_ZERO);
                        }
                    }
                }
                case MAXIMUM_PACKET_SIZE -> {
                    at = fixed(at, stop, 4);
                    if (!failed(at)) {
                        c.maximumPacketSize = WireFormat.u32(b, at - 4);
                        if (c.maximumPacketSize == 0) {
                            return failure(Violation.MAXIMUM_PACKET_SIZE_ZERO);
                        }
                    }
                }
                case TOPIC_ALIAS_MAXIMUM -> {
                    at = fixed(at, stop, 2);
                    if (!failed(at)) {
                        c.topicAliasMaximum = WireFormat.u16(b, at - 2);
                    }
                }
                case REQUEST_RESPONSE_INFORMATION -> {
                    at = fixed(at, stop, 1);
                    if (!failed(at)) {
                        int flag = WireFormat.u8(b, at - 1);
                        if (flag > 1) {
                            return failure(Violation.REQUEST_RESPONSE_INFORMATION_VALUE);
                        }
                        c.requestResponseInformation = flag == 1;
                    }
                }
                case REQUEST_PROBLEM_INFORMATION -> {
                    at = fixed(at, stop, 1);
                    if (!failed(at)) {
                        int flag = WireFormat.u8(b, at - 1);
                        if (flag > 1) {
                            return failure(Violation.REQUEST_PROBLEM_INFORMATION_VALUE);
                        }
                        c.requestProblemInformation = flag == 1;
                    }
                }
                case USER_PROPERTY -> {
                    at = stringPair(b, at, stop);
                    c.userPropertyCount += failed(at) ? 0 : 1;
                }
                case AUTHENTICATION_METHOD ->
                        at = WireFormat.string(b, at, stop, Violation.PROPERTY_CUT_SHORT, c, Field.AUTHENTICATION_METHOD);
                case AUTHENTICATION_DATA ->
                        at = WireFormat.binary(b, at, stop, Violation.PROPERTY_CUT_SHORT, c, Field.AUTHENTICATION_DATA);
                default -> {
                    return failure(Violation.PROPERTY_UNKNOWN);
                }
            }
            if (failed(at)) {
                return at;
            }
        }
        // The data may come before the method in the list, so this waits for the whole list.
        if ((seen & bit(AUTHENTICATION_DATA)) != 0 && (seen & bit(AUTHENTICATION_METHOD)) == 0) {
            return failure(Violation.AUTHENTICATION_DATA_WITHOUT_METHOD);
        }
        return stop;
    }

    /** The will's property list, starting at its length. */
    static int readWill(ByteBuffer b, int at, int end, Connect c) {
        long length = VariableByteInteger.decode(b, at, end);
        int start = listStart(length, at, end);
        if (failed(start)) {
            return start;
        }
        int stop = start + VariableByteInteger.value(length);
        c.locate(Field.WILL_PROPERTIES, start, stop - start);
        long seen = 0;
        at = start;
        while (at < stop) {
            int id = b.get(at++) & 0xFF;
            if (id != USER_PROPERTY) {
                if ((seen & bit(id)) != 0) {
                    return failure(Violation.PROPERTY_REPEATED);
                }
                seen |= bit(id);
            }
            switch (id) {
                case WILL_DELAY_INTERVAL -> {
                    at = fixed(at, stop, 4);
                    if (!failed(at)) {
                        c.willDelayInterval = WireFormat.u32(b, at - 4);
                    }
                }
                case PAYLOAD_FORMAT_INDICATOR -> {
                    at = fixed(at, stop, 1);
                    if (!failed(at)) {
                        c.willPayloadFormat = WireFormat.u8(b, at - 1);
                        if (c.willPayloadFormat > 1) {
                            return failure(Violation.PAYLOAD_FORMAT_VALUE);
                        }
                    }
                }
                case MESSAGE_EXPIRY_INTERVAL -> {
                    at = fixed(at, stop, 4);
                    if (!failed(at)) {
                        c.willMessageExpiryInterval = WireFormat.u32(b, at - 4);
                    }
                }
                case CONTENT_TYPE ->
                        at = WireFormat.string(b, at, stop, Violation.PROPERTY_CUT_SHORT, c, Field.WILL_CONTENT_TYPE);
                case RESPONSE_TOPIC -> at = WireFormat.topicName(b, at, stop, Violation.PROPERTY_CUT_SHORT,
                        Violation.RESPONSE_TOPIC_EMPTY, Violation.RESPONSE_TOPIC_WILDCARD, c, Field.WILL_RESPONSE_TOPIC);
                case CORRELATION_DATA ->
                        at = WireFormat.binary(b, at, stop, Violation.PROPERTY_CUT_SHORT, c, Field.WILL_CORRELATION_DATA);
                case USER_PROPERTY -> {
                    at = stringPair(b, at, stop);
                    c.willUserPropertyCount += failed(at) ? 0 : 1;
                }
                default -> {
                    return failure(Violation.PROPERTY_UNKNOWN);
                }
            }
            if (failed(at)) {
                return at;
            }
        }
        return stop;
    }

    /**
     * Where a list whose {@code length} was decoded at {@code at} has its first property; the
     * list must end by {@code end}.
     */
    private static int listStart(long length, int at, int end) {
        if (length == VariableByteInteger.NEED_MORE) {
            // The whole packet is here, so a length still unfinished at its end is cut short.
            return failure(Violation.PROPERTIES_CUT_SHORT);
        }
        if (length == VariableByteInteger.TOO_LONG) {
            return failure(Violation.VARIABLE_BYTE_INTEGER_TOO_LONG);
        }
        if (length == VariableByteInteger.NOT_MINIMAL) {
            return failure(Violation.VARIABLE_BYTE_INTEGER_NOT_MINIMAL);
        }
        int start = at + VariableByteInteger.length(length);
        if (VariableByteInteger.value(length) > end - start) {
            return failure(Violation.PROPERTIES_CUT_SHORT);
        }
        return start;
    }

    /** Skips a fixed-size value of {@code size} bytes, which must end by {@code stop}. */
    private static int fixed(int at, int stop, int size) {
        return stop - at < size ? failure(Violation.PROPERTY_CUT_SHORT) : at + size;
    }

    private static int stringPair(ByteBuffer b, int at, int stop) {
        at = WireFormat.string(b, at, stop, Violation.PROPERTY_CUT_SHORT, null, null);
        return failed(at) ? at : WireFormat.string(b, at, stop, Violation.PROPERTY_CUT_SHORT, null, null);
    }

    /** Identifiers are below 0x40; larger ones (all unknown) map to no bit and fail as unknown. */
    private static long bit(int id) {
        return id < 64 ? 1L << id : 0;
    }
}
