package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.Backend;

/**
 * The ring is a fixed function of the server names and weights (and the points per weight),
 * so instances agree on every key whatever version they run: during a rolling upgrade of
 * several balancers, a changed layout would send clients to other brokers than their sessions'.
 * The pinned assignments below are what this layout gives; changing them is a breaking change.
 */
class ConsistentHashRingLayoutTest {

    /** The names of the servers 40 keys go to, in key order. */
    private static String assignments(Balancer balancer) {
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < 40; k++) {
            out.append(k == 0 ? "" : " ").append(balancer.pick(KeyHash.of("client-" + k), null).server().name());
        }
        return out.toString();
    }

    @Test
    void keysGoWhereThePinnedLayoutSendsThem() {
        Backend backend = TestBackends.named(List.of("a", "b", "c", "d", "e"));
        assertEquals("e d b c c d b d e c c a b b d d e b a d b e c d c c b b b e e c c d d b a c b c",
                assignments(TestBackends.updated(new ConsistentHash(), backend)));
    }

    @Test
    void aRingCappedInPointsKeepsAPinnedLayoutToo() {
        // 33 servers of weight 256 want 500 x 8,448 points, over the 4,194,304 cap: 496 per weight.
        List<TestBackends.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            specs.add(TestBackends.Spec.ready("s" + i, 256));
        }
        Backend backend = TestBackends.of(specs);
        assertEquals("s8 s10 s7 s12 s2 s9 s10 s30 s12 s0 s25 s27 s3 s22 s28 s6 s29 s25 s29 s32"
                        + " s23 s26 s5 s29 s14 s29 s17 s4 s16 s2 s15 s0 s24 s26 s21 s12 s13 s21 s18 s12",
                assignments(TestBackends.updated(new ConsistentHash(), backend)));
    }

    @Test
    void pointsPerWeightRangeFromOneToTenThousand() {
        Backend backend = TestBackends.named(List.of("a", "b"));
        TestBackends.updated(new ConsistentHash(1), backend);
        TestBackends.updated(new ConsistentHash(10_000), backend);
        assertThrows(IllegalArgumentException.class, () -> new ConsistentHash(10_001));
        assertThrows(IllegalArgumentException.class, () -> new ConsistentHash(-1));
    }
}
