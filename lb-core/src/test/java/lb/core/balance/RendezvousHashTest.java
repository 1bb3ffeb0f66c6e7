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

class RendezvousHashTest extends KeyHashBalancerContract {

    @Override
    Balancer unbounded() {
        return new RendezvousHash();
    }

    @Override
    Balancer bounded(double c) {
        return new RendezvousHash(c);
    }

    @Override
    Balancer hashingAddresses() {
        return new RendezvousHash(0, null);
    }

    @Test
    void aFullServerPassesItsKeysToTheirNextHighestScorer() {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 2, 1, ServerState.READY, 0),
                TestBackends.Spec.ready("b", 1), TestBackends.Spec.ready("c", 3)));
        RendezvousHash hrw = TestBackends.updated(new RendezvousHash(), backend);
        Server a = backend.server("a");
        long key = 0;
        while (hrw.pick(KeyHash.of("k" + key), null).server() != a) {
            key++;
        }
        long hash = KeyHash.of("k" + key);
        Server second = hrw.pick(hash, a).server();
        assertNotSame(a, second);
        EngineAccess.live(a).tryAcquire();
        assertSame(second, hrw.pick(hash, null).server());
        EngineAccess.live(a).release();
        assertSame(a, hrw.pick(hash, null).server());
    }

    @Test
    void rejectsALoadFactorBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new RendezvousHash(0.5));
    }
}
