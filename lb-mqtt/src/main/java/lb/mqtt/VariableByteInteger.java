package lb.mqtt;

import java.nio.ByteBuffer;

/**
 * MQTT's variable byte integer, the encoding of the remaining length and of 5.0 property
 * lengths (3.1.1 §2.2.3, 5.0 §1.5.5). Stateless.
 *
 * <pre>
 * each byte:  bit 7 = another byte follows, bits 6..0 = the next seven bits, least significant first
 *
 * bytes  values                     example
 *   1    0 .. 127                   0x7F            = 127
 *   2    128 .. 16,383              0x80 0x01       = 128
 *   3    16,384 .. 2,097,151        0x80 0x80 0x01  = 16,384
 *   4    2,097,152 .. 268,435,455   0xFF 0xFF 0xFF 0x7F
 * </pre>
 *
 * <p>At most four bytes. Only the shortest form is accepted: 5.0 requires it [MQTT-1.5.5-1];
 * 3.1.1 states no rule but its Table 2.4 gives each length its own range of values, and a longer
 * form (0x80 0x00 for 0) only helps two parsers disagree about where a packet ends.
 */
final class VariableByteInteger {
    static final int MAX_VALUE = 268_435_455;
    static final int MAX_BYTES = 4;

    /** {@link #decode} answer: the last byte has not arrived. */
    static final long NEED_MORE = -1;
    /** {@link #decode} answer: a fourth byte still says another follows. */
    static final long TOO_LONG = -2;
    /** {@link #decode} answer: a shorter encoding of the same value exists. */
    static final long NOT_MINIMAL = -3;

    private VariableByteInteger() {
    }

    /**
     * Decodes the integer at index {@code at}, reading no byte at or past {@code end}. Answers
     * the value and the number of bytes it took, packed into one long (read them back with
     * {@link #value} and {@link #length}), or one of the negative answers above.
     */
    static long decode(ByteBuffer buffer, int at, int end) {
        int value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (at + i >= end) {
                return NEED_MORE;
            }
            int b = buffer.get(at + i) & 0xFF;
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                // A final byte of 0 after the first adds nothing: the value fits in fewer bytes.
                return i > 0 && b == 0 ? NOT_MINIMAL : ((long) (i + 1) << 32) | value;
            }
        }
        return TOO_LONG;
    }

    static int value(long decoded) {
        return (int) decoded;
    }

    static int length(long decoded) {
        return (int) (decoded >>> 32);
    }
}
