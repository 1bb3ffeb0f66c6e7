package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Server;
import lb.core.model.ServerState;

class ConsistentHashTest extends KeyHashBalancerContract {

    @Override
    Balancer unbounded() {
        return new ConsistentHash();
    }

    @Override
    Balancer bounded(double c) {
        return new ConsistentHash(ConsistentHash.DEFAULT_POINTS_PER_WEIGHT, c);
    }

    @Override
    Balancer hashingAddresses() {
        return new ConsistentHash(ConsistentHash.DEFAULT_POINTS_PER_WEIGHT, 0, null);
    }

    @Test
    void aFullServerPassesItsKeysToTheNextServerOnTheRingAndGetsThemBack() {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 1, ServerState.READY, 0),
                TestBackends.Spec.ready("b", 1), TestBackends.Spec.ready("c", 1)));
        ConsistentHash ring = TestBackends.updated(new ConsistentHash(), backend);
        Server a = backend.server("a");
        long key = 0;
        while (ring.pick(KeyHash.of("k" + key), null).server() != a) {
            key++;
        }
        long hash = KeyHash.of("k" + key);
        Server fallback = ring.pick(hash, a).server();
        assertNotSame(a, fallback);
        EngineAccess.live(a).tryAcquire();
        assertSame(fallback, ring.pick(hash, null).server(), "full: the key's next server, same as when avoided");
        EngineAccess.live(a).release();
        assertSame(a, ring.pick(hash, null).server());
    }

    @Test
    void rejectsPointCountsAndLoadFactorsThatMakeNoSense() {
        assertThrows(IllegalArgumentException.class, () -> new ConsistentHash(0));
        assertThrows(IllegalArgumentException.class, () -> new ConsistentHash(100, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new ConsistentHash(100, Double.NaN));
    }
}
