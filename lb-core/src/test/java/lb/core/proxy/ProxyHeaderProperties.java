package lb.core.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the header and however its bytes arrive, the decoder gives back what was encoded, with
 * its exact length; and no input, however broken, makes it throw or change its mind.
 */
class ProxyHeaderProperties {
    private static final ProxyHeaderDecoder DECODER = new ProxyHeaderDecoder(4096);

    @Property(tries = 500)
    void anyEncodedHeaderDecodesToTheSameFieldsUnderAnySplit(@ForAll("headers") ProxyHeader header,
                                                            @ForAll ProxyFormat format,
                                                            @ForAll @Size(max = 40) byte[] clientBytes,
                                                            @ForAll @IntRange(min = 0, max = 9) int junkBefore,
                                                            @ForAll long splitSeed) {
        byte[] encoded = bytes(header.encode(format));
        // The buffer holds junk before its position, as a reused one would.
        byte[] backing = Wire.concat(new byte[junkBefore], encoded, clientBytes);
        byte[] untouched = backing.clone();
        ByteBuffer in = ByteBuffer.wrap(backing).position(junkBefore).limit(junkBefore);

        Random split = new Random(splitSeed);
        DecodeResult result = DecodeResult.NEED_MORE;
        while (in.limit() < backing.length && result == DecodeResult.NEED_MORE) {
            int limit = Math.min(backing.length, in.limit() + 1 + split.nextInt(encoded.length));
            in.limit(limit);
            result = DECODER.decode(in);
            if (limit - junkBefore < encoded.length) {
                assertEquals(DecodeResult.NEED_MORE, result, "after " + (limit - junkBefore) + " of " + encoded.length);
            }
        }

        assertEquals(DecodeResult.Status.DECODED, result.status(), result.toString());
        assertEquals(encoded.length, result.length());
        assertEquals(format, result.format());
        assertEquals(asSentIn(format, header), result.header());
        assertEquals(junkBefore, in.position());
        assertArrayEquals(untouched, backing, "the decoder writes nothing");
    }

    @Property(tries = 300)
    void theLengthAnnouncedIsTheLengthWritten(@ForAll("headers") ProxyHeader header, @ForAll ProxyFormat format) {
        ByteBuffer out = ByteBuffer.allocate(header.encodedLength(format) + 5);
        header.writeTo(out, format);
        assertEquals(header.encodedLength(format), out.position());
    }

    @Property(tries = 2000)
    void arbitraryBytesNeverThrowAndAreJudgedOnceForGood(@ForAll("starts") byte[] start,
                                                         @ForAll @Size(max = 120) byte[] rest) {
        assertJudgedOnceForGood(Wire.concat(start, rest));
    }

    @Property(tries = 1000)
    void corruptedHeadersNeverThrowAndAreJudgedOnceForGood(@ForAll("headers") ProxyHeader header,
                                                           @ForAll ProxyFormat format,
                                                           @ForAll @IntRange(min = 1, max = 4) int flips,
                                                           @ForAll long seed) {
        byte[] bytes = bytes(header.encode(format));
        Random random = new Random(seed);
        for (int i = 0; i < flips; i++) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
        }
        assertJudgedOnceForGood(Wire.concat(bytes, new byte[random.nextInt(8)]));
    }

    @Property(tries = 300)
    void aChecksummedHeaderWithAnyValueByteChangedIsInvalid(@ForAll("headers") ProxyHeader header,
                                                            @ForAll long seed) {
        ProxyHeader withValue = header.withTlvs(Tlv.of(0xE0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        byte[] bytes = bytes(withValue.encode(ProxyFormat.V2_CRC32C));
        Random random = new Random(seed);
        bytes[bytes.length - 1 - random.nextInt(8)] ^= (byte) (1 + random.nextInt(255));
        assertEquals("PROXY v2: CRC32C checksum does not match", DECODER.decode(ByteBuffer.wrap(bytes)).reason());
    }

    @Property(tries = 500)
    void aVersion1LineLongerThan107BytesIsInvalid(@ForAll @IntRange(min = 108, max = 300) int length) {
        byte[] line = Wire.ascii("PROXY UNKNOWN " + "0".repeat(length - 16) + "\r\n");
        assertEquals(length, line.length);
        assertEquals("PROXY v1: no CRLF within 107 bytes", DECODER.decode(ByteBuffer.wrap(line)).reason());
    }

    @Property(tries = 1000)
    void ipv6TextIsReadBackAsTheSameAddressByUsAndByTheJdk(@ForAll("ipv6") byte[] address) throws Exception {
        ByteBuffer text = ByteBuffer.allocate(48);
        IpLiteral.write(address, text);
        byte[] parsed = IpLiteral.parseIpv6(text.flip(), 0, text.limit());
        assertArrayEquals(address, parsed);
        String literal = StandardCharsets.US_ASCII.decode(text.rewind()).toString();
        assertEquals(InetAddress.getByAddress(address), InetAddress.getByName(literal));
    }

    /** What the receiver learns: version 1 carries no TLVs and says UNKNOWN for LOCAL. */
    private static ProxyHeader asSentIn(ProxyFormat format, ProxyHeader header) {
        if (format != ProxyFormat.V1) {
            return header;
        }
        return header.kind() == ProxyHeader.Kind.PROXY
                ? ProxyHeader.proxy(header.source(), header.destination())
                : ProxyHeader.unknown();
    }

    /** Every prefix is judged without throwing, and once judged, longer inputs get the same answer. */
    private static void assertJudgedOnceForGood(byte[] bytes) {
        DecodeResult settled = null;
        for (int n = 0; n <= bytes.length; n++) {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, n);
            DecodeResult result = DECODER.decode(in);
            assertNotNull(result);
            assertEquals(0, in.position());
            if (settled != null) {
                assertEquals(settled, result, "after " + n + " bytes");
            } else if (result.status() != DecodeResult.Status.NEED_MORE) {
                settled = result;
                if (result.isDecoded()) {
                    assertTrue(result.length() <= n);
                } else {
                    assertFalse(result.reason().isEmpty());
                }
            }
        }
    }

    @Provide
    Arbitrary<ProxyHeader> headers() {
        Arbitrary<ProxyHeader> proxied = Combinators.combine(addresses(), addresses())
                .as(ProxyHeader::proxy);
        Arbitrary<ProxyHeader> bare = Arbitraries.frequencyOf(
                Tuple.of(6, proxied),
                Tuple.of(1, Arbitraries.just(ProxyHeader.local())),
                Tuple.of(1, Arbitraries.just(ProxyHeader.unknown())));
        return Combinators.combine(bare, tlvs().list().ofMaxSize(4))
                .as((header, tlvs) -> header.withTlvs(tlvs.toArray(new Tlv[0])));
    }

    private Arbitrary<InetSocketAddress> addresses() {
        Arbitrary<byte[]> ip = Arbitraries.oneOf(ipv4(), ipv6());
        return Combinators.combine(ip, Arbitraries.integers().between(0, 65535))
                .as(ProxyHeaderProperties::socketAddress);
    }

    private Arbitrary<byte[]> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4);
    }

    /** Random addresses, and the shapes text encoding treats specially: zero runs, IPv4-mapped. */
    @Provide
    Arbitrary<byte[]> ipv6() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofSize(16);
        Arbitrary<byte[]> sparse = Arbitraries.of((byte) 0, (byte) 0, (byte) 0, (byte) 1, (byte) 0xFF)
                .array(byte[].class).ofSize(16);
        Arbitrary<byte[]> mapped = ipv4().map(v4 -> {
            byte[] v6 = new byte[16];
            v6[10] = (byte) 0xFF;
            v6[11] = (byte) 0xFF;
            System.arraycopy(v4, 0, v6, 12, 4);
            return v6;
        });
        return Arbitraries.oneOf(random, sparse, mapped);
    }

    private Arbitrary<Tlv> tlvs() {
        Arbitrary<Integer> types = Arbitraries.integers().between(0, 255).filter(t -> t != Tlv.CRC32C);
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(Tlv.MAX_UNIQUE_ID_BYTES);
        return Combinators.combine(types, values).as(Tlv::of);
    }

    /** Starts that reach past the version check: nothing, either version's magic, a v2 fixed part. */
    @Provide
    Arbitrary<byte[]> starts() {
        byte[] signature = V2BinaryFormat.SIGNATURE;
        return Arbitraries.oneOf(
                Arbitraries.just(new byte[0]),
                Arbitraries.just(Wire.ascii("PROXY ")),
                Arbitraries.of("TCP4 ", "TCP6 ", "UNKNOWN", "TCP4 1.2.3.4 ", "TCP6 ::1 ::")
                        .map(s -> Wire.ascii("PROXY " + s)),
                Arbitraries.just(signature),
                Combinators.combine(Arbitraries.of(0x20, 0x21), Arbitraries.of(0x00, 0x11, 0x12, 0x21, 0x22, 0x31))
                        .as((command, family) -> Wire.concat(signature, new byte[] {command.byteValue(), family.byteValue()})));
    }

    private static InetSocketAddress socketAddress(byte[] ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
