package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a client sends, the parser answers NEED_MORE, VALID or INVALID: it never throws,
 * never reads past the limit, and never changes its mind as more bytes of the same stream arrive.
 */
class HostileBytesProperties {
    private final MqttConnectParser parser = new MqttConnectParser();

    @Property(tries = 1000)
    void arbitraryBytesAreNeverAcceptedAndNeverThrow(@ForAll @Size(max = 300) byte[] bytes) {
        ParseResult result = parser.parse(ByteBuffer.wrap(bytes));
        assertNotEquals(ParseResult.Status.VALID, result.status(), () -> Packets.hexOf(bytes));
        assertConsistentOverPrefixes(bytes);
    }

    @Property(tries = 1000)
    void aCompleteButArbitraryBodyIsJudgedNeverWaitedOn(@ForAll @Size(max = 300) byte[] body) {
        byte[] packet = Packets.concat(new byte[] {0x10}, Packets.vbi(body.length), body);
        ParseResult result = parser.parse(ByteBuffer.wrap(packet));
        assertNotSame(ParseResult.NEED_MORE, result);
        assertConsistentOverPrefixes(packet);
    }

    @Property(tries = 500)
    void mutatedValidConnectsNeverThrow(@ForAll("connects") ConnectSpec spec, @ForAll long seed,
                                        @ForAll("mutations") List<Integer> mutations) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        Random random = new Random(seed);
        for (int m : mutations) {
            int at = Math.floorMod(m, packet.length);
            packet[at] = (byte) (random.nextBoolean() ? packet[at] ^ (1 << random.nextInt(8)) : random.nextInt(256));
        }
        int keep = random.nextInt(packet.length + 1);
        byte[] cut = java.util.Arrays.copyOf(packet, keep);
        parser.parse(ByteBuffer.wrap(packet));
        assertConsistentOverPrefixes(cut);
    }

    @Property(tries = 500)
    void bytesAfterTheConnectNeverChangeTheAnswer(@ForAll("connects") ConnectSpec spec, @ForAll long seed,
                                                  @ForAll("mutations") List<Integer> mutations,
                                                  @ForAll @Size(min = 1, max = 8) byte[] after) {
        byte[] packet = ConnectEncoder.encode(spec, new Random(seed));
        Random random = new Random(seed);
        for (int m : mutations.subList(0, random.nextInt(mutations.size() + 1))) {
            packet[Math.floorMod(m, packet.length)] = (byte) random.nextInt(256);
        }
        ParseResult alone = parser.parse(ByteBuffer.wrap(packet));
        ParseResult followed = parser.parse(ByteBuffer.wrap(Packets.concat(packet, after)));
        if (alone != ParseResult.NEED_MORE) {
            assertEquals(alone.status(), followed.status());
            assertEquals(alone.violation(), followed.violation());
            assertEquals(alone.isValid() ? alone.connect().toString() : null,
                    followed.isValid() ? followed.connect().toString() : null);
        }
    }

    @Property(tries = 500)
    void aValidVariableHeaderFollowedByArbitraryBytesNeverThrows(
            @ForAll MqttVersion version, @ForAll byte flags, @ForAll @Size(max = 200) byte[] rest) {
        byte[] body = Packets.concat(Packets.hex(version == MqttVersion.V3_1 ? Packets.MQISDP_31
                : version == MqttVersion.V3_1_1 ? Packets.MQTT_311 : Packets.MQTT_5), new byte[] {flags, 0, 60}, rest);
        byte[] packet = Packets.concat(new byte[] {0x10}, Packets.vbi(body.length), body);
        assertNotSame(ParseResult.NEED_MORE, parser.parse(ByteBuffer.wrap(packet)));
        assertConsistentOverPrefixes(packet);
    }

    @Property(tries = 1000)
    void aHeaderAnnouncingMoreThanTheCapIsRefusedAtOnce(
            @ForAll @IntRange(min = MqttConnectParser.MIN_PACKET_SIZE, max = 1 << 20) int cap,
            @ForAll @IntRange(min = 1, max = 268_435_455) int remainingLength) {
        byte[] header = Packets.concat(new byte[] {0x10}, Packets.vbi(remainingLength));
        long packetLength = header.length + (long) remainingLength;
        ParseResult result = new MqttConnectParser(cap).parse(ByteBuffer.wrap(header));
        if (packetLength > cap) {
            assertEquals(Violation.TOO_LARGE, result.violation());
        } else {
            assertSame(ParseResult.NEED_MORE, result);
        }
    }

    @Provide
    Arbitrary<ConnectSpec> connects() {
        return ConnectArbitraries.connects();
    }

    @Provide
    Arbitrary<List<Integer>> mutations() {
        return Arbitraries.integers().list().ofMinSize(1).ofMaxSize(4);
    }

    /** Each prefix of {@code bytes} either waits or already gives the whole stream's answer. */
    private void assertConsistentOverPrefixes(byte[] bytes) {
        ParseResult whole = parser.parse(ByteBuffer.wrap(bytes));
        for (int n = 0; n < bytes.length; n++) {
            ParseResult prefix = parser.parse(ByteBuffer.wrap(bytes).limit(n));
            if (prefix != ParseResult.NEED_MORE) {
                assertEquals(whole.status(), prefix.status(), "after " + n + " of " + Packets.hexOf(bytes));
                assertEquals(whole.violation(), prefix.violation(), "after " + n + " of " + Packets.hexOf(bytes));
            }
        }
    }
}
