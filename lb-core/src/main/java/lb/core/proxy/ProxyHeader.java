package lb.core.proxy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a PROXY protocol header says: who the client really was, and optional TLVs. Immutable, so
 * any thread may encode it; {@link ProxyHeaderDecoder} produces it on the receiving side.
 *
 * <p>Follows the HAProxy specification "The PROXY protocol, versions 1 and 2". Addresses are
 * written as TCP over IPv4 when both are IPv4, else as TCP over IPv6, an IPv4 address then
 * taking its IPv4-mapped form ({@code ::ffff:a.b.c.d}). The JDK turns such an address back into
 * an {@link Inet4Address}, so a decoded header equals the one encoded. IPv6 scope ids are not
 * carried. Nothing here resolves a name.
 *
 * @param kind        what the receiver should take as the client's endpoints
 * @param source      the client's address and port for {@link Kind#PROXY}, else null
 * @param destination the address and port the client connected to for {@link Kind#PROXY}, else null
 * @param tlvs        version 2 vectors in wire order, never the CRC32C one; dropped in version 1
 */
public record ProxyHeader(Kind kind, InetSocketAddress source, InetSocketAddress destination, List<Tlv> tlvs) {

    public enum Kind {
        /** Relayed for a client: {@code source} and {@code destination} are its connection. */
        PROXY,
        /**
         * Opened by the proxy itself, a health check say: the receiver uses the real endpoints.
         * Version 1 has no such command and sends {@code UNKNOWN} instead.
         */
        LOCAL,
        /** Relayed, but for endpoints the header cannot express: use the real ones. */
        UNKNOWN
    }

    public ProxyHeader {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.PROXY) {
            requireResolved(source, "source");
            requireResolved(destination, "destination");
        } else if (source != null || destination != null) {
            throw new IllegalArgumentException(kind + " header carries no addresses");
        }
        tlvs = List.copyOf(tlvs);
    }

    /** A header relaying a client connected from {@code source} to {@code destination}. */
    public static ProxyHeader proxy(InetSocketAddress source, InetSocketAddress destination) {
        return new ProxyHeader(Kind.PROXY, source, destination, List.of());
    }

    /** A header for a connection the proxy opened itself, such as a health check. */
    public static ProxyHeader local() {
        return new ProxyHeader(Kind.LOCAL, null, null, List.of());
    }

    /** A header saying the client's endpoints cannot be told. */
    public static ProxyHeader unknown() {
        return new ProxyHeader(Kind.UNKNOWN, null, null, List.of());
    }

    /** This header with {@code more} appended to its TLVs. */
    public ProxyHeader withTlvs(Tlv... more) {
        List<Tlv> all = new ArrayList<>(tlvs);
        all.addAll(List.of(more));
        return new ProxyHeader(kind, source, destination, all);
    }

    /** Bytes this header takes on the wire in {@code format}. */
    public int encodedLength(ProxyFormat format) {
        return format == ProxyFormat.V1
                ? V1TextFormat.encodedLength(this)
                : V2BinaryFormat.encodedLength(this, format == ProxyFormat.V2_CRC32C);
    }

    /**
     * Writes this header in {@code format} at {@code out}'s position and advances it, whatever the
     * buffer's byte order. Writes nothing if it does not fit.
     *
     * @throws BufferOverflowException  if fewer than {@link #encodedLength} bytes remain
     * @throws IllegalArgumentException if the TLVs overflow version 2's 16-bit length
     */
    public void writeTo(ByteBuffer out, ProxyFormat format) {
        if (format == ProxyFormat.V1) {
            V1TextFormat.write(this, out);
        } else {
            V2BinaryFormat.write(this, out, format == ProxyFormat.V2_CRC32C);
        }
    }

    /** This header in {@code format}, in a new heap buffer ready to be read. */
    public ByteBuffer encode(ProxyFormat format) {
        ByteBuffer out = ByteBuffer.allocate(encodedLength(format));
        writeTo(out, format);
        return out.flip();
    }

    /** Whether the addresses go on the wire as IPv6: unless both are IPv4. */
    boolean usesIpv6() {
        return !(source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address);
    }

    /** The address's 4 bytes, or 16 when {@code ipv6}, an IPv4 address then IPv4-mapped. */
    static byte[] wireBytes(InetSocketAddress address, boolean ipv6) {
        byte[] bytes = address.getAddress().getAddress();
        if (!ipv6 || bytes.length == 16) {
            return bytes;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
    }

    /** An address from its 4 or 16 bytes: never a name lookup. */
    static InetSocketAddress socketAddress(byte[] ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException impossible) {
            // Thrown only for a length other than 4 or 16, which the codec never passes.
            throw new IllegalStateException(impossible);
        }
    }

    private static void requireResolved(InetSocketAddress address, String name) {
        Objects.requireNonNull(address, name);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(name + " must be a resolved address, was " + address);
        }
    }
}
