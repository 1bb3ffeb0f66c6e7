package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.ServerState;

class FirstAvailableTest {

    @Test
    void fillsEachServerToItsLimitInDeclaredOrder() {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 2, ServerState.READY, 0),
                new TestBackends.Spec("b", 1, 2, ServerState.READY, 0),
                new TestBackends.Spec("c", 1, 2, ServerState.READY, 0)));
        FirstAvailable first = TestBackends.updated(new FirstAvailable(), backend);
        StringBuilder order = new StringBuilder();
        for (int k = 0; k < 6; k++) {
            Server s = first.pick(0, null).server();
            EngineAccess.live(s).tryAcquire();
            order.append(s.name());
        }
        assertEquals("aabbcc", order.toString());
        assertSame(Pick.ALL_FULL, first.pick(0, null));
        EngineAccess.live(backend.server("a")).release();
        assertSame(backend.server("a"), first.pick(0, null).server(), "a freed slot in the first server is used first");
    }

    @Test
    void theAvoidedServerIsSkippedWhileAnotherHasRoom() {
        Backend backend = TestBackends.weighted(1, 1);
        FirstAvailable first = TestBackends.updated(new FirstAvailable(), backend);
        assertSame(backend.server("s1"), first.pick(0, backend.server("s0")).server());
    }
}
