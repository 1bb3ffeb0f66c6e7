package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.core.Backend;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.ServerState;

/** The promises of {@link Balancer} that every algorithm keeps. */
class EveryBalancerTest {

    /** An algorithm with a readable name, so failures say which one broke. */
    record Kind(String name, Supplier<Balancer> factory) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Kind> kinds() {
        return List.of(
                new Kind("RoundRobin", RoundRobin::new),
                new Kind("StaticRoundRobin", StaticRoundRobin::new),
                new Kind("LeastConnections", LeastConnections::new),
                new Kind("FirstAvailable", FirstAvailable::new),
                new Kind("PowerOfTwoChoices", () -> new PowerOfTwoChoices(42)),
                new Kind("SourceHash", SourceHash::new),
                new Kind("ConsistentHash", ConsistentHash::new),
                new Kind("ConsistentHash bounded", () -> new ConsistentHash(40, 1.25)),
                new Kind("ConsistentHash on addresses", () -> new ConsistentHash(40, 0, null)),
                new Kind("RendezvousHash", RendezvousHash::new),
                new Kind("RendezvousHash bounded", () -> new RendezvousHash(1.25)),
                new Kind("RendezvousHash on addresses", () -> new RendezvousHash(0, null)));
    }

    @Provide
    Arbitrary<Kind> kind() {
        return Arbitraries.of(kinds());
    }

    @Provide
    Arbitrary<List<TestBackends.Spec>> servers() {
        Arbitrary<TestBackends.Spec> spec = Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 3),
                Arbitraries.of(ServerState.READY, ServerState.READY, ServerState.READY, ServerState.DRAIN, ServerState.MAINTENANCE),
                Arbitraries.integers().between(0, 3)
        ).as((weight, max, state, conns) -> new TestBackends.Spec(
                "", weight, max, state, max == 0 ? conns : Math.min(conns, max)));
        return spec.list().ofMinSize(1).ofMaxSize(7).map(list -> {
            List<TestBackends.Spec> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                TestBackends.Spec s = list.get(i);
                named.add(new TestBackends.Spec("s" + i, s.weight(), s.maxConnections(), s.state(), s.connections()));
            }
            return named;
        });
    }

    @Property(tries = 400)
    void picksOnlyUsableServersWithRoomAndTellsNoneFromAllFull(
            @ForAll("kind") Kind kind, @ForAll("servers") List<TestBackends.Spec> specs,
            @ForAll long keyHash, @ForAll @IntRange(min = -1, max = 6) int avoidIndex) {
        Backend backend = TestBackends.of(specs);
        Balancer balancer = TestBackends.updated(kind.factory().get(), backend);
        Server avoid = avoidIndex >= 0 && avoidIndex < specs.size() ? backend.servers().get(avoidIndex) : null;
        List<Server> withRoom = new ArrayList<>();
        boolean anyUsable = false;
        for (Server s : backend.servers()) {
            if (s.state() == ServerState.READY && s.weight() > 0) {
                anyUsable = true;
                if (!s.isFull()) {
                    withRoom.add(s);
                }
            }
        }
        for (int k = 0; k < 5; k++) {
            Pick pick = balancer.pick(keyHash + k, avoid);
            if (!anyUsable) {
                assertSame(Pick.NO_SERVER, pick, kind + " with nothing usable");
            } else if (withRoom.isEmpty()) {
                assertSame(Pick.ALL_FULL, pick, kind + " with every usable server full");
            } else {
                Server s = pick.server();
                assertTrue(withRoom.contains(s), kind + " picked " + pick + ", not among " + withRoom);
                assertTrue(s != avoid || withRoom.size() == 1, kind + " picked the avoided " + s + " among " + withRoom);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void serversTakenOutByStateOrWeightAreNeverPicked(Kind kind) {
        Backend backend = TestBackends.weighted(1, 1, 1, 1);
        List<Server> all = backend.servers();
        all.get(0).state(ServerState.DRAIN);
        all.get(1).state(ServerState.MAINTENANCE);
        all.get(2).weight(0);
        Balancer balancer = TestBackends.updated(kind.factory().get(), backend);
        for (int k = 0; k < 200; k++) {
            assertSame(all.get(3), balancer.pick(KeyHash.of("key-" + k), null).server(), kind.name());
            assertSame(all.get(3), balancer.pick(KeyHash.mix(k) | Long.MIN_VALUE, null).server(), kind.name());
        }
        all.get(3).state(ServerState.MAINTENANCE);
        balancer.update(backend.usableServers());
        assertSame(Pick.NO_SERVER, balancer.pick(KeyHash.of("key"), null), kind.name());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void pickingAllocatesNothing(Kind kind) {
        Backend backend = TestBackends.weighted(1, 3, 2, 5, 1);
        Balancer balancer = TestBackends.updated(kind.factory().get(), backend);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int k = 0; k < 20_000; k++) {
            sink += balancer.pick(KeyHash.mix(k) >>> (k & 1), backend.servers().get(k % 5)).hashCode();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < 100_000; k++) {
            sink += balancer.pick(KeyHash.mix(k) >>> (k & 1), backend.servers().get(k % 5)).hashCode();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4_096, kind + " allocated " + allocated + " bytes in 100,000 picks");
        assertFalse(sink == 42, "keeps the loop from being optimised away");
    }
}
