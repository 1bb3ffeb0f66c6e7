package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.core.Backend;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.ServerState;

/**
 * The {@link Balancer} promises about fallbacks, for the key-hash balancers: the avoided
 * server is skipped for every key, whichever server the key falls back to, and a load bound
 * never turns a tunnel away while a server has room (it only reorders the candidates).
 */
class KeyHashFallbackOrderTest {

    static List<Supplier<Balancer>> unbounded() {
        return List.of(ConsistentHash::new, RendezvousHash::new);
    }

    static List<Supplier<Balancer>> bounded() {
        return List.of(() -> new ConsistentHash(ConsistentHash.DEFAULT_POINTS_PER_WEIGHT, 1.0),
                () -> new RendezvousHash(1.0));
    }

    @ParameterizedTest
    @MethodSource("unbounded")
    void avoidingAKeysServerSendsTheKeyToTheOtherOneEvenWhenThatIsTheFirstByName(Supplier<Balancer> kind) {
        Backend backend = TestBackends.named(List.of("a", "b"));
        Balancer balancer = TestBackends.updated(kind.get(), backend);
        for (int k = 0; k < 500; k++) {
            long key = KeyHash.of("client-" + k);
            Server own = balancer.pick(key, null).server();
            Server other = own == backend.server("a") ? backend.server("b") : backend.server("a");
            assertSame(other, balancer.pick(key, own).server(), "key " + k);
        }
    }

    @ParameterizedTest
    @MethodSource("bounded")
    void aServerWithRoomTakesTheTunnelEvenWhenItIsOverItsLoadBound(Supplier<Balancer> kind) {
        // "a" is full; "b" holds 5 of 6 connections, over its bound of ceil(1.0 x 7 / 2) = 4.
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 1, ServerState.READY, 1),
                new TestBackends.Spec("b", 1, 0, ServerState.READY, 5)));
        Balancer balancer = TestBackends.updated(kind.get(), backend);
        for (int k = 0; k < 200; k++) {
            assertSame(backend.server("b"), balancer.pick(KeyHash.of("client-" + k), null).server(), "key " + k);
            assertNotSame(Pick.ALL_FULL, balancer.pick(KeyHash.of("client-" + k), backend.server("a")));
        }
    }
}
