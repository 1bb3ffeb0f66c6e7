package lb.mqtt;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of valid CONNECTs for all three versions, with every optional part sometimes there
 * and sometimes not. Strings mix ASCII, control characters (allowed), two- to four-byte UTF-8
 * and U+FEFF; never U+0000 or a surrogate, which no valid string holds.
 */
final class ConnectArbitraries {
    private ConnectArbitraries() {
    }

    static Arbitrary<ConnectSpec> connects() {
        return Arbitraries.of(MqttVersion.values()).flatMap(ConnectArbitraries::connects);
    }

    static Arbitrary<ConnectSpec> connects(MqttVersion version) {
        boolean v5 = version == MqttVersion.V5;
        Arbitrary<String> clientIds = switch (version) {
            case V3_1 -> Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(23);
            case V3_1_1, V5 -> text(0, 40);
        };
        return Combinators.combine(
                clientIds,
                Arbitraries.integers().between(0, 65_535),
                Arbitraries.of(true, false),
                wills(version).injectNull(0.4),
                text(0, 20).injectNull(0.4),
                binary(30).injectNull(0.4),
                v5 ? properties() : Arbitraries.<ConnectSpec.Properties>just(null)
        ).as((clientId, keepAlive, clean, will, username, password, properties) -> new ConnectSpec(
                version, clientId,
                keepAlive,
                // 3.1.1 asks an empty identifier to come with a clean session [MQTT-3.1.3-7].
                clean || (version == MqttVersion.V3_1_1 && clientId.isEmpty()),
                will, username,
                // Before 5.0 a password needs a user name [MQTT-3.1.2-22].
                v5 || username != null ? password : null,
                properties));
    }

    static Arbitrary<ConnectSpec.Will> wills(MqttVersion version) {
        return Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(true, false),
                topics(),
                binary(100),
                version == MqttVersion.V5 ? willProperties() : Arbitraries.<ConnectSpec.WillProperties>just(null)
        ).as(ConnectSpec.Will::new);
    }

    static Arbitrary<ConnectSpec.Properties> properties() {
        Arbitrary<Tuple.Tuple2<String, byte[]>> authentication = Combinators.combine(
                text(1, 15).injectNull(0.6), binary(20).injectNull(0.5)
        ).as((method, data) -> Tuple.of(method, method == null ? null : data));
        return Combinators.combine(
                fourByte().injectNull(0.5),
                Arbitraries.integers().between(1, 65_535).injectNull(0.5),
                Arbitraries.longs().between(1, 0xFFFF_FFFFL).injectNull(0.5),
                Arbitraries.integers().between(0, 65_535).injectNull(0.5),
                Arbitraries.of(true, false).injectNull(0.5),
                Arbitraries.of(true, false).injectNull(0.5),
                userProperties(),
                authentication
        ).as((expiry, receiveMax, maxPacket, aliasMax, responseInfo, problemInfo, user, auth) ->
                new ConnectSpec.Properties(expiry, receiveMax, maxPacket, aliasMax, responseInfo, problemInfo, user,
                        auth.get1(), auth.get2()));
    }

    static Arbitrary<ConnectSpec.WillProperties> willProperties() {
        return Combinators.combine(
                fourByte().injectNull(0.5),
                Arbitraries.integers().between(0, 1).injectNull(0.5),
                fourByte().injectNull(0.5),
                text(0, 15).injectNull(0.5),
                topics().injectNull(0.5),
                binary(20).injectNull(0.5),
                userProperties()
        ).as(ConnectSpec.WillProperties::new);
    }

    static Arbitrary<List<List<String>>> userProperties() {
        return Combinators.combine(text(0, 10), text(0, 10)).as(List::of).list().ofMaxSize(3);
    }

    /** Topic names: at least one character and no wildcard. */
    static Arbitrary<String> topics() {
        return codePoints().filter(cp -> cp != '+' && cp != '#').list().ofMinSize(1).ofMaxSize(20)
                .map(ConnectArbitraries::string);
    }

    static Arbitrary<String> text(int minCodePoints, int maxCodePoints) {
        return codePoints().list().ofMinSize(minCodePoints).ofMaxSize(maxCodePoints).map(ConnectArbitraries::string);
    }

    static Arbitrary<byte[]> binary(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    private static Arbitrary<Long> fourByte() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    private static Arbitrary<Integer> codePoints() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x01, 0x1F)),
                Tuple.of(1, Arbitraries.integers().between(0x80, 0x7FF)),
                Tuple.of(1, Arbitraries.integers().between(0x800, 0xFFFF).filter(cp -> cp < 0xD800 || cp > 0xDFFF)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)),
                Tuple.of(1, Arbitraries.just(0xFEFF)));
    }

    private static String string(List<Integer> codePoints) {
        StringBuilder sb = new StringBuilder();
        codePoints.forEach(sb::appendCodePoint);
        return sb.toString();
    }
}
