package lb.examples.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Bytes waiting to go out on one connection: packets are appended, then flushed as far as the
 * socket takes them. Not thread-safe: owned by one connection, used on its loop.
 *
 * <p>A small buffer is kept once drained (replies are frequent); a big one, grown by a burst,
 * is dropped so that thousands of connections do not each pin their peak.
 */
public final class PacketWriter {
    private static final int INITIAL_CAPACITY = 128;
    private static final int RETAINED_CAPACITY = 1024;

    /** Write mode: position = bytes pending. Null until first used. */
    private ByteBuffer buf;

    /** Starts a packet: its first byte, then the remaining length as a variable byte integer. */
    public PacketWriter header(int firstByte, int remainingLength) {
        return u8(firstByte).varint(remainingLength);
    }

    public PacketWriter u8(int value) {
        ensure(1).put((byte) value);
        return this;
    }

    public PacketWriter u16(int value) {
        ensure(2).putShort((short) value);
        return this;
    }

    public PacketWriter varint(int value) {
        ByteBuffer b = ensure(4);
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            b.put((byte) (value > 0 ? digit | 0x80 : digit));
        } while (value > 0);
        return this;
    }

    /** A two-byte length, then the bytes: MQTT's string and binary data encoding. */
    public PacketWriter lengthPrefixed(byte[] bytes) {
        return u16(bytes.length).bytes(bytes, 0, bytes.length);
    }

    public PacketWriter bytes(byte[] bytes) {
        return bytes(bytes, 0, bytes.length);
    }

    public PacketWriter bytes(byte[] bytes, int offset, int length) {
        ensure(length).put(bytes, offset, length);
        return this;
    }

    /** Bytes appended and not yet flushed. */
    public int pending() {
        return buf == null ? 0 : buf.position();
    }

    public boolean isEmpty() {
        return pending() == 0;
    }

    /** Writes as much as the channel takes. Returns true when nothing is left pending. */
    public boolean flushTo(WritableByteChannel channel) throws IOException {
        if (isEmpty()) {
            return true;
        }
        buf.flip();
        channel.write(buf);
        if (buf.hasRemaining()) {
            buf.compact();
            return false;
        }
        clear();
        return true;
    }

    /** Drops whatever is pending. */
    public void clear() {
        if (buf != null && buf.capacity() > RETAINED_CAPACITY) {
            buf = null;
        } else if (buf != null) {
            buf.clear();
        }
    }

    /** A copy of the pending bytes, for tests that drive a socket by hand. */
    public byte[] toByteArray() {
        byte[] out = new byte[pending()];
        if (out.length > 0) {
            buf.get(0, out, 0, out.length);
        }
        return out;
    }

    private ByteBuffer ensure(int needed) {
        if (buf == null) {
            buf = ByteBuffer.allocate(Math.max(INITIAL_CAPACITY, needed));
        } else if (buf.remaining() < needed) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + needed));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
        return buf;
    }

    /** Bytes {@code value} takes as a variable byte integer. */
    public static int varintSize(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }
}
