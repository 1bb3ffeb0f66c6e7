package lb.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Checks MQTT's UTF-8 strings in place and decodes them on request. Stateless.
 *
 * <p>What a string must not hold (3.1.1 §1.5.3, 5.0 §1.5.4): ill-formed UTF-8, including
 * encoded surrogates U+D800..U+DFFF [MQTT-1.5.3-1, MQTT-1.5.4-1], and U+0000 [MQTT-1.5.3-2,
 * MQTT-1.5.4-2]. Those are MUSTs and are refused. The control characters U+0001..U+001F and
 * U+007F..U+009F and the Unicode non-characters are only "SHOULD NOT" for senders, and a receiver
 * MAY refuse them; they are accepted here and left to the broker, since a balancer refusing what
 * the broker would take breaks clients for no protocol reason. U+FEFF is an ordinary character
 * and is neither skipped nor stripped [MQTT-1.5.3-3, MQTT-1.5.4-3].
 *
 * <p>Well-formed sequences, after RFC 3629 §4 (anything else is ill-formed: stray continuation
 * bytes, overlong forms such as C0 80 for U+0000, surrogates, code points above U+10FFFF, and
 * sequences cut short):
 * <pre>
 * code points          byte 1   byte 2   byte 3   byte 4
 * U+0000..U+007F       00..7F
 * U+0080..U+07FF       C2..DF   80..BF
 * U+0800..U+0FFF       E0       A0..BF   80..BF
 * U+1000..U+CFFF       E1..EC   80..BF   80..BF
 * U+D000..U+D7FF       ED       80..9F   80..BF
 * U+E000..U+FFFF       EE..EF   80..BF   80..BF
 * U+10000..U+3FFFF     F0       90..BF   80..BF   80..BF
 * U+40000..U+FFFFF     F1..F3   80..BF   80..BF   80..BF
 * U+100000..U+10FFFF   F4       80..8F   80..BF   80..BF
 * </pre>
 */
final class Utf8 {
    static final int WELL_FORMED = 0;
    static final int ILL_FORMED = 1;
    static final int HAS_NULL = 2;

    private Utf8() {
    }

    /** Checks the bytes at indexes {@code from} (inclusive) to {@code to} (exclusive). */
    static int check(ByteBuffer buffer, int from, int to) {
        int i = from;
        while (i < to) {
            int lead = buffer.get(i) & 0xFF;
            if (lead < 0x80) {
                if (lead == 0) {
                    return HAS_NULL;
                }
                i++;
                continue;
            }
            int trailing;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                trailing = 1;
            } else if (lead == 0xE0) {
                trailing = 2;
                secondMin = 0xA0;
            } else if (lead == 0xED) {
                trailing = 2;
                secondMax = 0x9F;
            } else if (lead >= 0xE1 && lead <= 0xEF) {
                trailing = 2;
            } else if (lead == 0xF0) {
                trailing = 3;
                secondMin = 0x90;
            } else if (lead >= 0xF1 && lead <= 0xF3) {
                trailing = 3;
            } else if (lead == 0xF4) {
                trailing = 3;
                secondMax = 0x8F;
            } else {
                return ILL_FORMED;
            }
            if (to - i <= trailing) {
                return ILL_FORMED;
            }
            int second = buffer.get(i + 1) & 0xFF;
            if (second < secondMin || second > secondMax) {
                return ILL_FORMED;
            }
            for (int k = 2; k <= trailing; k++) {
                int next = buffer.get(i + k) & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return ILL_FORMED;
                }
            }
            i += trailing + 1;
        }
        return WELL_FORMED;
    }

    /** Decodes {@code length} bytes from index {@code at}, which {@link #check} has accepted. */
    static String decode(ByteBuffer buffer, int at, int length) {
        if (buffer.hasArray()) {
            return new String(buffer.array(), buffer.arrayOffset() + at, length, StandardCharsets.UTF_8);
        }
        // Direct and read-only buffers hide their array: copy the field, never the packet.
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
