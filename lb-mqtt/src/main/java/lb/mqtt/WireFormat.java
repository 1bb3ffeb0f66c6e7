package lb.mqtt;

import java.nio.ByteBuffer;

/**
 * Reads MQTT's data representations (3.1.1 §1.5, 5.0 §1.5) in place, by absolute index, never
 * at or past a given end. Stateless.
 *
 * <p>Readers that can fail answer the index just after what they read, or a negative failure
 * naming the {@link Violation}: position and failure share one int, so reading allocates nothing.
 *
 * <pre>
 * two-byte integer    MSB LSB
 * four-byte integer   MSB .. LSB
 * UTF-8 string        2-byte length N, then N bytes of UTF-8 (see Utf8)
 * binary data         2-byte length N, then N bytes
 * string pair         UTF-8 string (name), UTF-8 string (value)
 * topic name          UTF-8 string, at least one character, no '+' or '#' (3.1.1 §4.7, 5.0 §4.7)
 * </pre>
 */
final class WireFormat {
    private WireFormat() {
    }

    static int failure(Violation violation) {
        return -1 - violation.ordinal();
    }

    static boolean failed(int at) {
        return at < 0;
    }

    static Violation violation(int failure) {
        return Violation.byOrdinal(-1 - failure);
    }

    static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xFF;
    }

    static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xFF) << 8 | (b.get(at + 1) & 0xFF);
    }

    static long u32(ByteBuffer b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }

    /**
     * A UTF-8 string at {@code at}: answers {@code cutShort} if it runs past {@code end}, a UTF-8
     * violation if its bytes are not allowed; records where it lies in {@code connect} under
     * {@code field}, if given.
     */
    static int string(ByteBuffer b, int at, int end, Violation cutShort, Connect connect, Field field) {
        int after = binary(b, at, end, cutShort, connect, field);
        if (failed(after)) {
            return after;
        }
        return switch (Utf8.check(b, at + 2, after)) {
            case Utf8.WELL_FORMED -> after;
            case Utf8.HAS_NULL -> failure(Violation.UTF8_NULL);
            default -> failure(Violation.UTF8_ILL_FORMED);
        };
    }

    /** Binary data at {@code at}, as for {@link #string} but any bytes go. */
    static int binary(ByteBuffer b, int at, int end, Violation cutShort, Connect connect, Field field) {
        if (end - at < 2) {
            return failure(cutShort);
        }
        int length = u16(b, at);
        if (end - at - 2 < length) {
            return failure(cutShort);
        }
        if (field != null) {
            connect.locate(field, at + 2, length);
        }
        return at + 2 + length;
    }

    /** A topic name at {@code at}: a string (as for {@link #string}) that is not empty and has no wildcard. */
    static int topicName(ByteBuffer b, int at, int end, Violation cutShort, Violation empty, Violation wildcard,
                         Connect connect, Field field) {
        int after = string(b, at, end, cutShort, connect, field);
        if (failed(after)) {
            return after;
        }
        if (after == at + 2) {
            return failure(empty);
        }
        // '+' and '#' never occur inside a multi-byte UTF-8 sequence, so a byte scan is exact.
        for (int i = at + 2; i < after; i++) {
            byte c = b.get(i);
            if (c == '+' || c == '#') {
                return failure(wildcard);
            }
        }
        return after;
    }
}
