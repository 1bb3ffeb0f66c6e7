package lb.examples.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one packet body with absolute gets, leaving the buffer's position alone.
 * Not thread-safe: one per loop, {@link #reset} for each packet. Reading past the body throws
 * {@link MalformedPacketException}, which the caller turns into closing the connection.
 *
 * <p>Field encodings (MQTT 3.1.1 section 1.5, MQTT 5.0 section 1.5): two-byte integers are big
 * endian; strings and binary data are a two-byte length then the bytes; variable byte integers
 * are as in the fixed header.
 */
public final class PacketCursor {
    private ByteBuffer buf;
    private int position;
    private int end;

    public PacketCursor reset(ByteBuffer buf, int start, int end) {
        this.buf = buf;
        this.position = start;
        this.end = end;
        return this;
    }

    public int position() {
        return position;
    }

    public int remaining() {
        return end - position;
    }

    public boolean hasRemaining() {
        return position < end;
    }

    public int u8() {
        require(1);
        return buf.get(position++) & 0xFF;
    }

    public int u16() {
        require(2);
        int value = ((buf.get(position) & 0xFF) << 8) | (buf.get(position + 1) & 0xFF);
        position += 2;
        return value;
    }

    public long u64() {
        require(8);
        long value = buf.getLong(position);
        position += 8;
        return value;
    }

    public int u32() {
        require(4);
        int value = buf.getInt(position);
        position += 4;
        return value;
    }

    public int varint() {
        int value = 0;
        for (int shift = 0; shift <= 21; shift += 7) {
            int b = u8();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw MalformedPacketException.INSTANCE;
    }

    /** A length-prefixed UTF-8 string. */
    public String string() {
        int length = u16();
        return new String(bytes(length), StandardCharsets.UTF_8);
    }

    /** Skips a length-prefixed string or binary field. */
    public void skipLengthPrefixed() {
        skip(u16());
    }

    public void skip(int n) {
        require(n);
        position += n;
    }

    public byte[] bytes(int n) {
        require(n);
        byte[] out = new byte[n];
        buf.get(position, out, 0, n);
        position += n;
        return out;
    }

    /** Everything left in the body, as the payload of a PUBLISH is. */
    public byte[] rest() {
        return bytes(remaining());
    }

    private void require(int n) {
        if (n < 0 || n > end - position) {
            throw MalformedPacketException.INSTANCE;
        }
    }
}
