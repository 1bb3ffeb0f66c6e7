package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the hello, however it is cut into records and however those arrive, the parser waits
 * for its last byte and then reads back what was encoded; a hello cut short or with a length
 * running past its container is MALFORMED; and no input makes it throw or change its mind.
 */
class ClientHelloProperties {
    private static final ClientHelloParser PARSER = new ClientHelloParser();

    @Property(tries = 400)
    void anyHelloParsesBackUnderAnyRecordCutsAndAnyReadSplits(@ForAll("hellos") Encoded hello,
                                                              @ForAll @Size(max = 6) List<@IntRange(min = 1, max = 300) Integer> cuts,
                                                              @ForAll @Size(max = 30) byte[] after,
                                                              @ForAll long splitSeed) {
        byte[] records = Hellos.inRecords(hello.handshake, cuts.stream().mapToInt(Integer::intValue).toArray());
        byte[] backing = Hellos.concat(records, after);
        byte[] untouched = backing.clone();
        ByteBuffer in = ByteBuffer.wrap(backing).limit(0);

        Random split = new Random(splitSeed);
        HelloResult result = HelloResult.NEED_MORE;
        while (result == HelloResult.NEED_MORE && in.limit() < backing.length) {
            in.limit(Math.min(backing.length, in.limit() + 1 + split.nextInt(40)));
            result = PARSER.parse(in);
            if (in.limit() < records.length) {
                assertSame(HelloResult.NEED_MORE, result, "after " + in.limit() + " of " + records.length);
            }
        }

        assertEquals(HelloResult.hello(hello.expected, records.length), result);
        assertEquals(0, in.position());
        assertArrayEquals(untouched, backing, "the parser writes nothing");
    }

    @Property(tries = 50)
    void everyPrefixOfAJdkHelloNeedsMore(@ForAll("jdkHellos") byte[] records,
                                         @ForAll @Size(max = 4) List<@IntRange(min = 1, max = 700) Integer> cuts) {
        byte[] recut = Hellos.inRecords(Hellos.handshakeStream(records), cuts.stream().mapToInt(Integer::intValue).toArray());
        ByteBuffer in = ByteBuffer.wrap(recut);
        for (int n = 0; n < recut.length; n++) {
            assertSame(HelloResult.NEED_MORE, PARSER.parse(in.limit(n)));
        }
        HelloResult whole = PARSER.parse(in.limit(recut.length));
        assertEquals(PARSER.parse(ByteBuffer.wrap(records)).hello(), whole.hello());
        assertEquals(recut.length, whole.length());
    }

    @Property(tries = 400)
    void aHelloCutShortWithItsOuterLengthsMadeToAgreeIsMalformed(@ForAll("hellos") Encoded hello,
                                                                 @ForAll @IntRange(min = 1, max = 1000) int cut) {
        byte[] handshake = hello.handshake;
        int bodyLength = handshake.length - 4;
        int kept = bodyLength - Math.min(cut, bodyLength);
        if (kept == hello.extensionsAt - 4) {
            kept--; // cut exactly before the extensions: a TLS 1.2 hello without any, so valid
        }
        byte[] shorter = Arrays.copyOf(handshake, 4 + kept);
        shorter[1] = (byte) (kept >>> 16);
        shorter[2] = (byte) (kept >>> 8);
        shorter[3] = (byte) kept;

        HelloResult result = PARSER.parse(ByteBuffer.wrap(Hellos.inRecords(shorter)));

        assertEquals(HelloResult.Status.MALFORMED, result.status(), result.toString());
    }

    @Property(tries = 1000)
    void anyLengthFieldRunningPastItsContainerIsMalformed(@ForAll("hellos") Encoded hello,
                                                          @ForAll @IntRange(min = 0, max = 1000) int which,
                                                          @ForAll @IntRange(min = 1, max = 0xFFFF) int excess) {
        LengthField field = hello.fields.get(which % hello.fields.size());
        int max = field.width == 1 ? 0xFF : 0xFFFF;
        if (field.room >= max) {
            return;
        }
        int value = field.room + 1 + excess % (max - field.room);
        byte[] garbled = hello.handshake.clone();
        if (field.width == 1) {
            garbled[field.at] = (byte) value;
        } else {
            garbled[field.at] = (byte) (value >>> 8);
            garbled[field.at + 1] = (byte) value;
        }

        HelloResult result = PARSER.parse(ByteBuffer.wrap(Hellos.inRecords(garbled)));

        assertEquals(HelloResult.Status.MALFORMED, result.status(), field + " set to " + value + ": " + result);
    }

    @Property(tries = 3000)
    void arbitraryBytesNeverThrowAndAreJudgedOnceForGood(@ForAll("starts") byte[] start,
                                                         @ForAll @Size(max = 200) byte[] rest) {
        assertJudgedOnceForGood(Hellos.concat(start, rest));
    }

    @Property(tries = 1000)
    void corruptedHellosNeverThrowAndAreJudgedOnceForGood(@ForAll("hellos") Encoded hello,
                                                          @ForAll @IntRange(min = 1, max = 4) int flips,
                                                          @ForAll long seed) {
        byte[] records = Hellos.inRecords(hello.handshake, 20 + (int) (seed & 0x3F));
        Random random = new Random(seed);
        for (int i = 0; i < flips; i++) {
            records[random.nextInt(records.length)] ^= (byte) (1 + random.nextInt(255));
        }
        assertJudgedOnceForGood(records);
    }

    /** Every prefix is NEED_MORE until a first verdict, and every longer prefix gives the same one. */
    private static void assertJudgedOnceForGood(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        HelloResult first = null;
        for (int n = 0; n <= bytes.length; n++) {
            HelloResult result = PARSER.parse(in.limit(n));
            assertNotNull(result);
            assertEquals(0, in.position());
            if (first == null && result != HelloResult.NEED_MORE) {
                first = result;
            } else if (first != null) {
                assertEquals(first, result, "after " + n + " bytes");
            }
        }
    }

    @Provide
    Arbitrary<byte[]> starts() {
        return Arbitraries.oneOf(
                Arbitraries.just(new byte[0]),
                Arbitraries.just(new byte[] {22, 3, 1}),
                Arbitraries.bytes().array(byte[].class).ofSize(5).map(b -> Hellos.concat(new byte[] {22, 3, 3, 0}, b)),
                Arbitraries.integers().between(1, 80).map(ClientHelloProperties::plausibleHeaders));
    }

    /** A record header and a hello header whose lengths agree, so the body's own fields get judged. */
    private static byte[] plausibleHeaders(int n) {
        return new byte[] {22, 3, 1, 0, (byte) (n + 4), 1, 0, 0, (byte) n};
    }

    @Provide
    Arbitrary<byte[]> jdkHellos() {
        Arbitrary<String> names = Arbitraries.of("broker.example.com", "a.b", "x".repeat(63) + ".example");
        Arbitrary<List<String>> protocols = Arbitraries.of(List.of(), List.of("mqtt"), List.of("mqtt", "h2", "x-".repeat(60)));
        Arbitrary<String[]> versions = Arbitraries.of(new String[0], new String[] {"TLSv1.2"}, new String[] {"TLSv1.3"});
        return Combinators.combine(names.injectNull(0.2), protocols, versions).as(Hellos::fromJdk);
    }

    @Provide
    Arbitrary<Encoded> hellos() {
        Arbitrary<String> label = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCZ0123456789-_").ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> name = label.list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels));
        Arbitrary<String> protocol = Arbitraries.strings().withCharRange('\u0001', '\u00FF').ofMinLength(1).ofMaxLength(20);
        Arbitrary<List<Integer>> versions = Arbitraries.integers().between(0, 0xFFFF).list().ofMaxSize(5);
        Arbitrary<byte[]> sessionId = Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
        return Combinators.combine(name.injectNull(0.2), protocol.list().ofMaxSize(4), versions, sessionId)
                .as(Encoded::new);
    }

    /** A length field in an encoded handshake: its offset, width in bytes, and the bytes its container has left for it. */
    record LengthField(String name, int at, int width, int room) {
    }

    /** A hello from {@link Hellos#encode}, what it should parse to, and where its length fields are. */
    static final class Encoded {
        final byte[] handshake;
        final ClientHello expected;
        final int extensionsAt;
        final List<LengthField> fields = new ArrayList<>();

        Encoded(String serverName, List<String> protocols, List<Integer> versions, byte[] sessionId) {
            handshake = Hellos.encode(serverName, protocols, versions, sessionId);
            expected = new ClientHello(serverName == null ? null : serverName.toLowerCase(Locale.ROOT), protocols, 0x0303, versions);
            int end = handshake.length;
            int at = 4 + 2 + 32;
            fields.add(new LengthField("legacy_session_id", at, 1, end - at - 1));
            at += 1 + sessionId.length;
            fields.add(new LengthField("cipher_suites", at, 2, end - at - 2));
            at += 2 + u16(at);
            fields.add(new LengthField("legacy_compression_methods", at, 1, end - at - 1));
            at += 1 + (handshake[at] & 0xFF);
            extensionsAt = at;
            fields.add(new LengthField("extensions", at, 2, end - at - 2));
            for (at += 2; at < end; ) {
                int type = u16(at);
                int length = u16(at + 2);
                int data = at + 4;
                int extEnd = data + length;
                fields.add(new LengthField("extension " + type, at + 2, 2, end - data));
                if (type == 0) {
                    fields.add(new LengthField("server_name_list", data, 2, extEnd - data - 2));
                    fields.add(new LengthField("host_name", data + 3, 2, extEnd - data - 5));
                } else if (type == 16) {
                    fields.add(new LengthField("protocol_name_list", data, 2, extEnd - data - 2));
                    int last = data + 2;
                    for (int p = data + 2; p < extEnd; p += 1 + (handshake[p] & 0xFF)) {
                        last = p;
                    }
                    fields.add(new LengthField("last protocol name", last, 1, extEnd - last - 1));
                } else if (type == 43) {
                    fields.add(new LengthField("versions", data, 1, extEnd - data - 1));
                }
                at = extEnd;
            }
        }

        private int u16(int at) {
            return (handshake[at] & 0xFF) << 8 | handshake[at + 1] & 0xFF;
        }

        @Override
        public String toString() {
            return expected.toString();
        }
    }
}
