package lb.core.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One type-length-value vector of a version 2 header (spec section 2.2). Immutable: the value is
 * copied in and out, so one instance may be shared by every loop.
 *
 * <pre>
 * +------+-----------------+----------------------+
 * | type | length (BE u16) | value: length bytes  |
 * +------+-----------------+----------------------+
 *    1           2               0..65535
 * </pre>
 *
 * <p>{@code PP2_TYPE_CRC32C} is not a value a caller chooses: the encoder adds it for
 * {@link ProxyFormat#V2_CRC32C} and the decoder checks and drops it, so it is refused here.
 */
public final class Tlv {
    /** Application-Layer Protocol Negotiation, as in TLS (section 2.2.1). */
    public static final int ALPN = 0x01;
    /** The host name the client asked for, UTF-8; the TLS SNI when there is one (section 2.2.2). */
    public static final int AUTHORITY = 0x02;
    /** Checksum of the whole header (section 2.2.3); handled by the codec itself. */
    public static final int CRC32C = 0x03;
    /** Padding, to be ignored (section 2.2.4). */
    public static final int NOOP = 0x04;
    /** Opaque id of the connection, up to 128 bytes, to correlate logs (section 2.2.5). */
    public static final int UNIQUE_ID = 0x05;
    /** TLS details with nested sub-TLVs (section 2.2.6); carried opaque. */
    public static final int SSL = 0x20;
    /** Network namespace name, US-ASCII (section 2.2.7). */
    public static final int NETNS = 0x30;

    /** Section 2.2.5: "an opaque byte sequence of up to 128 bytes". */
    public static final int MAX_UNIQUE_ID_BYTES = 128;
    /** The length field is 16 bits. */
    public static final int MAX_VALUE_BYTES = 0xFFFF;
    /** Type byte plus length field. */
    static final int HEADER_BYTES = 3;

    private final int type;
    private final byte[] value;

    private Tlv(int type, byte[] value) {
        this.type = type;
        this.value = value;
    }

    /**
     * A vector of {@code type} (0..255, not {@link #CRC32C}) holding a copy of {@code value}.
     *
     * @throws IllegalArgumentException if the type or length is out of range
     */
    public static Tlv of(int type, byte[] value) {
        if (type == CRC32C) {
            throw new IllegalArgumentException("the CRC32C TLV is added by choosing ProxyFormat.V2_CRC32C");
        }
        return checked(type, value.clone());
    }

    /** The host name the client asked for, as {@link #AUTHORITY}. */
    public static Tlv authority(String hostName) {
        return checked(AUTHORITY, hostName.getBytes(StandardCharsets.UTF_8));
    }

    /** An id of the connection, as {@link #UNIQUE_ID}: at most 128 bytes. */
    public static Tlv uniqueId(byte[] id) {
        return checked(UNIQUE_ID, id.clone());
    }

    /** Adopts {@code value} without copying: for the decoder, which just allocated it. */
    static Tlv adopt(int type, byte[] value) {
        return new Tlv(type, value);
    }

    private static Tlv checked(int type, byte[] value) {
        if (type < 0 || type > 0xFF) {
            throw new IllegalArgumentException("TLV type must be 0..255, was " + type);
        }
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("TLV value must be at most 65535 bytes, was " + value.length);
        }
        if (type == UNIQUE_ID && value.length > MAX_UNIQUE_ID_BYTES) {
            throw new IllegalArgumentException("unique id must be at most 128 bytes, was " + value.length);
        }
        return new Tlv(type, value);
    }

    public int type() {
        return type;
    }

    /** Number of value bytes. */
    public int length() {
        return value.length;
    }

    /** A copy of the value. */
    public byte[] value() {
        return value.clone();
    }

    /** The value read as UTF-8, as for {@link #AUTHORITY}. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** Bytes this vector takes on the wire. */
    int encodedLength() {
        return HEADER_BYTES + value.length;
    }

    /** Writes type, length and value at the buffer's position, whatever its byte order. */
    void writeTo(ByteBuffer out) {
        out.put((byte) type);
        out.put((byte) (value.length >>> 8));
        out.put((byte) value.length);
        out.put(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlv other && type == other.type && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Tlv(0x" + Integer.toHexString(type) + ", " + value.length + " bytes)";
    }
}
