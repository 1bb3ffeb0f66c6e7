package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Server;
import lb.core.model.ServerState;

/**
 * Properties every key-hash balancer ({@link ConsistentHash}, {@link RendezvousHash}) must have:
 * minimal disruption, agreement between independent instances, bounded load, weights, and the
 * fallback when a tunnel has no key.
 */
abstract class KeyHashBalancerContract {
    static final int KEYS = 10_000;

    /** The balancer under test, without a load bound. */
    abstract Balancer unbounded();

    /** The balancer under test with load factor {@code c}. */
    abstract Balancer bounded(double c);

    /** The balancer under test hashing client addresses when there is no key. */
    abstract Balancer hashingAddresses();

    @Test
    void aThousandCharacterClientIdGoesToOneServerEveryTimeAndOnEveryInstance() {
        Backend backend = TestBackends.named(names(8, 1));
        Balancer first = unbounded();
        Balancer second = unbounded();
        first.update(backend.usableServers());
        second.update(backend.usableServers());
        StringBuilder id = new StringBuilder();
        while (id.length() < 1_000) {
            id.append("fleet/site-7/gateway-3/sensor-");
        }
        String longId = id.substring(0, 1_000);
        Server there = first.pick(KeyHash.of(longId), null).server();
        for (int i = 0; i < 20; i++) {
            assertSame(there, first.pick(KeyHash.of(new String(longId.toCharArray())), null).server());
            assertSame(there, second.pick(KeyHash.of(longId), null).server());
        }
        // the whole id is hashed: ids that differ only past any length limit spread over the servers
        java.util.Set<Server> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(first.pick(KeyHash.of(longId + i), null).server());
        }
        assertTrue(seen.size() > 1, "long ids sharing 1,000 characters all went to " + seen);
    }

    @Property(tries = 40)
    void removingOneOfNServersMovesOnlyTheKeysThatWereOnIt(
            @ForAll @IntRange(min = 2, max = 20) int n, @ForAll long salt, @ForAll @IntRange(min = 0, max = 19) int which) {
        Backend backend = TestBackends.named(names(n, salt));
        long[] keys = keys(salt);
        Balancer balancer = unbounded();
        balancer.update(backend.usableServers());
        Server[] before = assign(balancer, keys);
        Server removed = backend.servers().get(which % n);
        List<Server> rest = new ArrayList<>(backend.servers());
        rest.remove(removed);
        balancer.update(TestBackends.setOf(rest));
        Server[] after = assign(balancer, keys);
        for (int i = 0; i < keys.length; i++) {
            if (before[i] != removed) {
                assertSame(before[i], after[i], "key " + i + " moved although its server stayed");
            }
        }
    }

    @Property(tries = 40)
    void addingAServerToNMovesAtMostItsShareOfKeysPlusFivePercentAndOnlyToIt(
            @ForAll @IntRange(min = 2, max = 20) int n, @ForAll long salt) {
        Backend backend = TestBackends.named(names(n + 1, salt));
        long[] keys = keys(salt);
        Server added = backend.servers().get(n);
        Balancer balancer = unbounded();
        balancer.update(TestBackends.setOf(backend.servers().subList(0, n)));
        Server[] before = assign(balancer, keys);
        balancer.update(backend.usableServers());
        Server[] after = assign(balancer, keys);
        int moved = 0;
        for (int i = 0; i < keys.length; i++) {
            if (before[i] != after[i]) {
                assertSame(added, after[i], "key " + i + " moved to an old server");
                moved++;
            }
        }
        double limit = 1.0 / (n + 1) + 0.05;
        assertTrue(moved <= limit * KEYS, moved + " of " + KEYS + " keys moved, limit " + limit);
    }

    @Property(tries = 40)
    void twoIndependentInstancesSendEachKeyToTheSameServer(
            @ForAll @IntRange(min = 1, max = 12) int n, @ForAll long salt) {
        List<String> names = names(n, salt);
        List<TestBackends.Spec> specs = new ArrayList<>();
        Random random = new Random(salt);
        for (String name : names) {
            specs.add(TestBackends.Spec.ready(name, 1 + random.nextInt(4)));
        }
        List<TestBackends.Spec> shuffled = new ArrayList<>(specs);
        Collections.shuffle(shuffled, random);
        Balancer one = TestBackends.updated(unbounded(), TestBackends.of(specs));
        Balancer other = TestBackends.updated(unbounded(), TestBackends.of(shuffled));
        for (long key : keys(salt)) {
            assertEquals(one.pick(key, null).server().name(), other.pick(key, null).server().name());
        }
    }

    @Property(tries = 30)
    void withBoundedLoadNoServerExceedsCeilOfFactorTimesItsWeightedAverage(
            @ForAll @IntRange(min = 2, max = 10) int n, @ForAll long salt,
            @ForAll @DoubleRange(min = 1.0, max = 2.0) double c, @ForAll @IntRange(min = 1, max = 50) int distinctKeys) {
        Random random = new Random(salt);
        List<TestBackends.Spec> specs = new ArrayList<>();
        for (String name : names(n, salt)) {
            specs.add(TestBackends.Spec.ready(name, 1 + random.nextInt(3)));
        }
        Backend backend = TestBackends.of(specs);
        Balancer balancer = TestBackends.updated(bounded(c), backend);
        long totalWeight = specs.stream().mapToInt(TestBackends.Spec::weight).sum();
        // Few distinct keys make hot spots, which only the bound can spread.
        for (int t = 1; t <= 2_000; t++) {
            Server s = balancer.pick(KeyHash.of("hot-" + random.nextInt(distinctKeys)), null).server();
            assertTrue(EngineAccess.live(s).tryAcquire());
            for (Server each : backend.servers()) {
                double limit = Math.ceil(c * t * each.weight() / totalWeight);
                assertTrue(each.connections() <= limit,
                        each.name() + " holds " + each.connections() + " of " + t + ", bound " + limit);
            }
        }
    }

    @Test
    void serversGetKeysInProportionToTheirWeights() {
        Backend backend = TestBackends.of(List.of(TestBackends.Spec.ready("alpha", 1),
                TestBackends.Spec.ready("bravo", 2), TestBackends.Spec.ready("charlie", 1)));
        Balancer balancer = TestBackends.updated(unbounded(), backend);
        int[] counts = new int[3];
        for (int i = 0; i < 40_000; i++) {
            counts[backend.servers().indexOf(balancer.pick(KeyHash.of("client-" + i), null).server())]++;
        }
        assertEquals(10_000, counts[0], 1_200);
        assertEquals(20_000, counts[1], 1_200);
        assertEquals(10_000, counts[2], 1_200);
    }

    @Property(tries = 20)
    void raisingAWeightMovesKeysOnlyToThatServer(
            @ForAll @IntRange(min = 2, max = 8) int n, @ForAll long salt, @ForAll @IntRange(min = 0, max = 7) int which) {
        Backend backend = TestBackends.named(names(n, salt));
        long[] keys = keys(salt);
        Balancer balancer = TestBackends.updated(unbounded(), backend);
        Server[] before = assign(balancer, keys);
        Server heavier = backend.servers().get(which % n);
        heavier.weight(2);
        balancer.update(backend.usableServers());
        Server[] after = assign(balancer, keys);
        for (int i = 0; i < keys.length; i++) {
            if (before[i] != after[i]) {
                assertSame(heavier, after[i]);
            }
        }
    }

    @Test
    void aTunnelWithoutAKeyGoesToTheLeastLoadedServer() throws Exception {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 0, ServerState.READY, 5),
                new TestBackends.Spec("b", 1, 0, ServerState.READY, 0),
                new TestBackends.Spec("c", 1, 0, ServerState.READY, 3)));
        Balancer balancer = TestBackends.updated(unbounded(), backend);
        long address = KeyHash.of(InetAddress.getByName("192.0.2.7"));
        assertSame(backend.server("b"), balancer.pick(address, null).server());
        assertTrue(EngineAccess.live(backend.server("b")).tryAcquire());
        assertTrue(EngineAccess.live(backend.server("b")).tryAcquire());
        assertTrue(EngineAccess.live(backend.server("b")).tryAcquire());
        assertTrue(EngineAccess.live(backend.server("b")).tryAcquire());
        assertSame(backend.server("c"), balancer.pick(address, null).server());
    }

    @Test
    void withoutAFallbackAClientAddressIsHashedLikeAKey() throws Exception {
        Backend backend = TestBackends.named(List.of("a", "b", "c", "d"));
        Balancer one = TestBackends.updated(hashingAddresses(), backend);
        Balancer other = TestBackends.updated(hashingAddresses(), backend);
        int[] counts = new int[4];
        for (int i = 0; i < 4_000; i++) {
            long address = KeyHash.of(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}));
            Server s = one.pick(address, null).server();
            assertSame(s, one.pick(address, null).server());
            assertSame(s, other.pick(address, null).server());
            counts[backend.servers().indexOf(s)]++;
        }
        for (int c : counts) {
            assertTrue(c > 700, "addresses spread over all servers: " + Arrays.toString(counts));
        }
    }

    static List<String> names(int n, long salt) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("broker-" + Long.toHexString(KeyHash.mix(salt + i)));
        }
        return names;
    }

    static long[] keys(long salt) {
        long[] keys = new long[KEYS];
        String prefix = "client-" + Long.toHexString(salt) + "-";
        for (int i = 0; i < KEYS; i++) {
            keys[i] = KeyHash.of(prefix + i);
        }
        return keys;
    }

    static Server[] assign(Balancer balancer, long[] keys) {
        Server[] out = new Server[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = balancer.pick(keys[i], null).server();
        }
        return out;
    }
}
