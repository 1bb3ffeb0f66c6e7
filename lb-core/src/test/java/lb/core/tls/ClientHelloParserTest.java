package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Hellos from the JDK's own client, and the ways a first flight can be broken or not TLS at all. */
class ClientHelloParserTest {
    private static final ClientHelloParser PARSER = new ClientHelloParser();
    private static final byte[] JDK_HELLO = Hellos.fromJdk("Broker.Example.com", List.of("mqtt", "x-custom"));

    @Test
    void aJdkHelloGivesItsServerNameInLowerCaseItsProtocolsAndItsVersions() {
        HelloResult result = PARSER.parse(ByteBuffer.wrap(JDK_HELLO));

        assertEquals(HelloResult.Status.HELLO, result.status(), result.toString());
        ClientHello hello = result.hello();
        assertEquals("broker.example.com", hello.serverName());
        assertEquals(List.of("mqtt", "x-custom"), hello.applicationProtocols());
        assertTrue(hello.offers("mqtt"));
        assertEquals(ClientHello.TLS_1_2, hello.legacyVersion());
        assertTrue(hello.supportedVersions().containsAll(List.of(ClientHello.TLS_1_3, ClientHello.TLS_1_2)));
        assertEquals(ClientHello.TLS_1_3, hello.highestVersion());
        assertEquals(JDK_HELLO.length, result.length());
    }

    @Test
    void aJdkHelloFedOneByteAtATimeNeedsMoreUntilItsLastByte() {
        ByteBuffer in = ByteBuffer.wrap(JDK_HELLO).limit(0);
        for (int n = 0; n < JDK_HELLO.length; n++) {
            assertSame(HelloResult.NEED_MORE, PARSER.parse(in.limit(n)), "after " + n + " bytes");
        }
        HelloResult whole = PARSER.parse(in.limit(JDK_HELLO.length));
        assertEquals(PARSER.parse(ByteBuffer.wrap(JDK_HELLO)), whole);
        assertEquals(0, in.position());
    }

    @Test
    void aClientWithoutServerNameOrAlpnGivesNullAndAnEmptyList() {
        HelloResult result = PARSER.parse(ByteBuffer.wrap(Hellos.fromJdk(null, List.of())));
        assertNull(result.hello().serverName());
        assertEquals(List.of(), result.hello().applicationProtocols());
    }

    @Test
    void aTls12OnlyClientOffersTls12AtMost() {
        HelloResult result = PARSER.parse(ByteBuffer.wrap(Hellos.fromJdk("broker.example.com", List.of(), "TLSv1.2")));
        assertEquals(ClientHello.TLS_1_2, result.hello().highestVersion(), result.toString());
    }

    @Test
    void aHelloFragmentedOverRecordsParsesAsTheSameHelloWhateverTheCuts() {
        ClientHello expected = PARSER.parse(ByteBuffer.wrap(JDK_HELLO)).hello();
        byte[] handshake = Hellos.handshakeStream(JDK_HELLO);
        int[][] cuts = {{1}, {2, 1}, {3}, {4}, {5, 40}, {100, 100}, {1, 1, 1, 1, 1, 1, 1}};
        for (int[] cut : cuts) {
            byte[] records = Hellos.inRecords(handshake, cut);
            ByteBuffer in = ByteBuffer.wrap(records).limit(0);
            for (int n = 0; n < records.length; n++) {
                assertSame(HelloResult.NEED_MORE, PARSER.parse(in.limit(n)));
            }
            HelloResult result = PARSER.parse(in.limit(records.length));
            assertEquals(expected, result.hello(), result.toString());
            assertEquals(records.length, result.length());
        }
    }

    @Test
    void bytesAfterTheHelloAreLeftAloneWhetherInItsRecordOrAfterIt() {
        byte[] handshake = Hellos.handshakeStream(JDK_HELLO);
        byte[] sameRecord = Hellos.inRecords(Hellos.concat(handshake, new byte[] {9, 9, 9}));
        HelloResult inRecord = PARSER.parse(ByteBuffer.wrap(sameRecord));
        assertEquals(sameRecord.length - 3, inRecord.length(), inRecord.toString());

        byte[] changeCipherSpec = {20, 3, 3, 0, 1, 1};
        HelloResult after = PARSER.parse(ByteBuffer.wrap(Hellos.concat(JDK_HELLO, changeCipherSpec, new byte[100])));
        assertEquals(JDK_HELLO.length, after.length());
        assertEquals("broker.example.com", after.hello().serverName());
    }

    @Test
    void aHelloInADirectBufferAfterOtherBytesIsReadFromThePosition() {
        ByteBuffer direct = ByteBuffer.allocateDirect(JDK_HELLO.length + 20);
        direct.position(7).put(JDK_HELLO).put(new byte[] {1, 2}).flip().position(7);

        HelloResult result = PARSER.parse(direct);

        assertEquals("broker.example.com", result.hello().serverName());
        assertEquals(7, direct.position());
        assertEquals(7 + JDK_HELLO.length + 2, direct.limit());
    }

    @Test
    void otherProtocolsAreNotTlsFromTheirFirstBytes() {
        assertNotTls("GET / HTTP/1.1\r\n", "first byte 0x47 is not a TLS handshake record");
        assertNotTls("\u0010\u0012\u0000\u0004MQTT", "first byte 0x10 is not a TLS handshake record");
        assertEquals(HelloResult.Status.NOT_TLS, PARSER.parse(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0x2E, 1})).status(),
                "an SSL 2.0 compatible hello is not TLS here");
        assertEquals("record version major 71 is not TLS", PARSER.parse(ByteBuffer.wrap(new byte[] {22, 'G'})).reason());
        byte[] serverHello = {22, 3, 3, 0, 50, 2, 0, 0, 46};
        assertEquals("handshake message type 2 is not a ClientHello", PARSER.parse(ByteBuffer.wrap(serverHello)).reason());
    }

    @Test
    void brokenRecordsAreMalformedAsSoonAsTheirHeaderSaysSo() {
        assertMalformed(new byte[] {22, 3, 4}, "record version 3.4");
        assertMalformed(new byte[] {22, 3, 1, 0, 0}, "empty handshake record");
        assertMalformed(new byte[] {22, 3, 1, 0x40, 1}, "record of 16385 bytes, over 16384");
        assertMalformed(new byte[] {22, 3, 1, 0, 50, 1, 0, 0, 40}, "ClientHello body of 40 bytes, under 41");
        assertMalformed(new byte[] {22, 3, 1, 0x40, 0, 1, 0, 0x40, 0x20}, "ClientHello of 16416 bytes does not fit in 16424 with its headers");
        // A full first record leaves the rest of the hello to a second one, with its own header.
        assertMalformed(new byte[] {22, 3, 1, 0x40, 0, 1, 0, 0x40, 0x1B}, "ClientHello of 16411 bytes does not fit in 16424 with its headers");
        assertSame(HelloResult.NEED_MORE, PARSER.parse(ByteBuffer.wrap(new byte[] {22, 3, 1, 0x40, 0, 1, 0, 0x40, 0x1A})));
    }

    @Test
    void anotherRecordTypeInsideAFragmentedHelloIsMalformed() {
        byte[] records = Hellos.inRecords(Hellos.handshakeStream(JDK_HELLO), 30);
        byte[] alert = {21, 3, 3, 0, 2, 2, 40};
        byte[] interleaved = Hellos.concat(java.util.Arrays.copyOf(records, 35), alert);
        assertMalformed(interleaved, "a record of type 21 inside the ClientHello");
    }

    @Test
    void smallRecordsWhoseHeadersPassTheMaximumAreMalformed() {
        byte[] handshake = Hellos.handshakeStream(JDK_HELLO);
        ClientHelloParser tight = new ClientHelloParser(JDK_HELLO.length + 20);
        int[] fives = new int[handshake.length / 5 + 1];
        java.util.Arrays.fill(fives, 5);
        byte[] records = Hellos.inRecords(handshake, fives);
        HelloResult result = tight.parse(ByteBuffer.wrap(records));
        assertEquals(HelloResult.Status.MALFORMED, result.status(), result.toString());
        assertTrue(result.reason().startsWith("ClientHello of "), result.reason());
        assertEquals(HelloResult.Status.HELLO, tight.parse(ByteBuffer.wrap(Hellos.inRecords(handshake, 100))).status());
    }

    @Test
    void lengthsThatLieInsideTheBodyAreMalformed() {
        assertMalformedHello(hello -> hello[4 + 2 + 32] = 33, "legacy_session_id of 33 bytes, over 32");
        assertMalformedHello(hello -> hello[4 + 2 + 32] = 0, "cipher_suites of 0 bytes"); // session id bytes read as the next field
        assertMalformedHello(hello -> hello[4 + 2 + 32 + 1 + 32 + 1] = 3, "cipher_suites of 3 bytes");
        assertMalformedHello(hello -> hello[4] = 2, "legacy_version 0x203 is not TLS");
        // "mqtt" announced as 1 byte: 'q' (113) is then read as the next name's length
        assertMalformedHello(hello -> hello[hello.length - 7 - 3 - 5] = 1, "ALPN protocol name of 113 bytes in 5 left");
    }

    @Test
    void extensionsMustTileTheirBlockAndAppearOnce() {
        byte[] hello = Hellos.encode("a.example", List.of("mqtt"), List.of(0x0304), new byte[0]);
        int extensions = 4 + 2 + 32 + 1 + 2 + 4 + 1 + 1;
        assertEquals("a.example", parseHandshake(hello).hello().serverName());

        byte[] longer = hello.clone();
        longer[extensions + 1]++;
        assertMalformedHandshake(longer, "extensions of 44 bytes in 43 left");

        byte[] twice = Hellos.concat(hello, new byte[] {0, 43, 0, 3, 2, 3, 4});
        bumpLengths(twice, 7, extensions);
        assertMalformedHandshake(twice, "extension 43 appears twice");
    }

    @Test
    void serverNamesMustBeAsciiDnsNamesWithoutATrailingDot() {
        for (String bad : new String[] {"broker.example.", ".broker", "a..b", "bröker.example", "a b", "x".repeat(64) + ".a", "a".repeat(254)}) {
            assertMalformedHandshake(Hellos.encode(bad, List.of(), List.of(), new byte[0]), "server_name host_name is not a DNS name");
        }
        assertEquals("under_score-1.x", parseHandshake(Hellos.encode("UNDER_score-1.X", List.of(), List.of(), new byte[0])).hello().serverName());
        assertEquals("a".repeat(63), parseHandshake(Hellos.encode("a".repeat(63), List.of(), List.of(), new byte[0])).hello().serverName());
    }

    @Test
    void anEmptyAlpnNameOrAnOddVersionListIsMalformed() {
        assertMalformedHandshake(Hellos.encode(null, List.of("mqtt", ""), List.of(), new byte[0]),
                "ALPN protocol name of 0 bytes in 0 left");
        byte[] hello = Hellos.encode(null, List.of(), List.of(0x0304, 0x0303), new byte[0]);
        hello[hello.length - 5] = 3; // versions list length 4 -> 3
        assertMalformedHandshake(hello, "supported_versions list of 3 bytes in an extension of 5");
    }

    @Test
    void aTls12HelloWithoutExtensionsIsAHello() {
        byte[] hello = Hellos.encode(null, List.of(), List.of(), new byte[32]);
        int withoutExtensions = 4 + 2 + 32 + 1 + 32 + 2 + 4 + 1 + 1;
        byte[] bare = java.util.Arrays.copyOf(hello, withoutExtensions);
        bumpLengths(bare, withoutExtensions - hello.length, -1);
        HelloResult result = parseHandshake(bare);
        assertEquals(new ClientHello(null, List.of(), 0x0303, List.of()), result.hello(), result.toString());
    }

    @Test
    void waitingForMoreBytesAllocatesNothing() {
        byte[] fragmented = Hellos.inRecords(Hellos.handshakeStream(JDK_HELLO), 2, 50, 100);
        ByteBuffer in = ByteBuffer.wrap(fragmented);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int n = 0; n < 20_000; n++) {
            PARSER.parse(in.limit(n % fragmented.length));
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int n = 0; n < 100_000; n++) {
            assertSame(HelloResult.NEED_MORE, PARSER.parse(in.limit(n % fragmented.length)));
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes in 100,000 parses of partial hellos");
    }

    @Test
    void theMaximumCannotBeSmallerThanTheSmallestHello() {
        assertThrows(IllegalArgumentException.class, () -> new ClientHelloParser(49));
        assertEquals(50, new ClientHelloParser(50).maxBytes());
    }

    private static void assertNotTls(String ascii, String reason) {
        HelloResult result = PARSER.parse(ByteBuffer.wrap(ascii.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(HelloResult.notTls(reason), result);
    }

    private static void assertMalformed(byte[] bytes, String reason) {
        assertEquals(HelloResult.malformed(reason), PARSER.parse(ByteBuffer.wrap(bytes)));
    }

    private static HelloResult parseHandshake(byte[] handshake) {
        return PARSER.parse(ByteBuffer.wrap(Hellos.inRecords(handshake)));
    }

    private static void assertMalformedHandshake(byte[] handshake, String reason) {
        assertEquals(HelloResult.malformed(reason), parseHandshake(handshake));
    }

    /** A hello of known layout: SNI "a.example", ALPN "mqtt" and "h2", one version, no session id. */
    private static void assertMalformedHello(java.util.function.Consumer<byte[]> corrupt, String reason) {
        byte[] hello = Hellos.encode("a.example", List.of("mqtt", "h2"), List.of(0x0304), new byte[32]);
        corrupt.accept(hello);
        assertMalformedHandshake(hello, reason);
    }

    /** Adds {@code delta} to the handshake length and, if {@code extensions} is not -1, to the extensions length there. */
    private static void bumpLengths(byte[] handshake, int delta, int extensions) {
        int length = ((handshake[1] & 0xFF) << 16 | (handshake[2] & 0xFF) << 8 | handshake[3] & 0xFF) + delta;
        handshake[1] = (byte) (length >>> 16);
        handshake[2] = (byte) (length >>> 8);
        handshake[3] = (byte) length;
        if (extensions >= 0) {
            int ext = ((handshake[extensions] & 0xFF) << 8 | handshake[extensions + 1] & 0xFF) + delta;
            handshake[extensions] = (byte) (ext >>> 8);
            handshake[extensions + 1] = (byte) ext;
        }
    }
}
