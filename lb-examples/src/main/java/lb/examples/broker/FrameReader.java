package lb.examples.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Cuts a TCP byte stream into MQTT packets, however the stream was split or joined. Not
 * thread-safe: owned by one connection, used on its loop.
 *
 * <p>Reads land in the loop's shared buffer and complete packets are handled straight from it.
 * Only the start of a packet that has not fully arrived is copied into a buffer of this
 * reader's own, dropped again once the packet completes, so an idle connection holds none.
 *
 * <pre>
 * Fixed header (MQTT 3.1.1 section 2.2, MQTT 5.0 section 2.1.1)
 * +--------+------------------------------------------------------------+
 * | byte 1 | packet type (bits 7-4) | flags (bits 3-0)                  |
 * | 2..5   | remaining length: 7 bits a byte, low group first,         |
 * |        | bit 7 set = another byte follows; at most 4 bytes          |
 * +--------+------------------------------------------------------------+
 * </pre>
 */
public final class FrameReader {
    /** The peer closed its side. */
    public static final int EOF = -1;
    /** A length was malformed or above the maximum packet size. */
    public static final int MALFORMED = -2;
    /** The handler asked to stop. */
    public static final int STOPPED = -3;
    private static final int MIN_PARTIAL = 256;

    private final int maxPacketSize;
    /** Bytes of the incomplete packet, in write mode; null when there are none. */
    private ByteBuffer partial;

    public FrameReader(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    /**
     * Reads once from {@code channel} into {@code shared} and hands every complete packet to
     * {@code handler}. Returns the number of bytes read, or {@link #EOF}, {@link #MALFORMED} or
     * {@link #STOPPED}.
     */
    public int read(ReadableByteChannel channel, ByteBuffer shared, FrameHandler handler) throws IOException {
        shared.clear();
        int n = channel.read(shared);
        if (n < 0) {
            return EOF;
        }
        shared.flip();
        int status = accept(shared, handler);
        return status < 0 ? status : n;
    }

    /**
     * Consumes all of {@code incoming}: complete packets go to the handler, the rest is kept for
     * the next call. Returns 0, {@link #MALFORMED} or {@link #STOPPED}.
     */
    public int accept(ByteBuffer incoming, FrameHandler handler) {
        if (!incoming.hasRemaining()) {
            return 0;
        }
        ByteBuffer source = incoming;
        if (partial != null) {
            partial = ensureSpace(partial, incoming.remaining());
            partial.put(incoming);
            partial.flip();
            source = partial;
        }
        int pending = split(source, handler);
        if (pending < 0) {
            partial = null;
            return pending;
        }
        if (!source.hasRemaining()) {
            partial = null;
        } else if (source == incoming) {
            partial = ByteBuffer.allocate(Math.max(MIN_PARTIAL, pending));
            partial.put(source);
        } else {
            partial.compact();
        }
        return 0;
    }

    /** True while part of a packet is held, waiting for the rest. */
    public boolean hasPartialPacket() {
        return partial != null;
    }

    /**
     * Hands complete packets to the handler. Returns the full size of the incomplete packet
     * left at the position when known, 0 when unknown or nothing is left, or a negative status.
     */
    private int split(ByteBuffer source, FrameHandler handler) {
        while (source.hasRemaining()) {
            int start = source.position();
            int limit = source.limit();
            int remainingLength = 0;
            int shift = 0;
            int at = start + 1;
            while (true) {
                if (at >= limit) {
                    return 0;
                }
                int b = source.get(at++) & 0xFF;
                remainingLength |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
                shift += 7;
                if (shift > 21) {
                    return MALFORMED;
                }
            }
            int bodyEnd = at + remainingLength;
            if (bodyEnd - start > maxPacketSize) {
                return MALFORMED;
            }
            if (bodyEnd > limit) {
                return bodyEnd - start;
            }
            int firstByte = source.get(start) & 0xFF;
            source.position(bodyEnd);
            if (!handler.onFrame(firstByte, source, at, bodyEnd)) {
                return STOPPED;
            }
        }
        return 0;
    }

    private static ByteBuffer ensureSpace(ByteBuffer buffer, int needed) {
        if (buffer.remaining() >= needed) {
            return buffer;
        }
        int capacity = Math.max(buffer.capacity() * 2, buffer.position() + needed);
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }
}
