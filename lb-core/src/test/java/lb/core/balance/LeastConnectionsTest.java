package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.ServerState;

class LeastConnectionsTest {

    @Provide
    Arbitrary<List<TestBackends.Spec>> loadedServers() {
        Arbitrary<TestBackends.Spec> spec = Combinators.combine(
                Arbitraries.integers().between(1, 10),
                Arbitraries.integers().between(0, 30),
                Arbitraries.integers().between(0, 30)
        ).as((weight, max, conns) -> new TestBackends.Spec("", weight, max, ServerState.READY,
                max == 0 ? conns : Math.min(conns, max)));
        return spec.list().ofMinSize(1).ofMaxSize(8).map(list -> {
            List<TestBackends.Spec> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                TestBackends.Spec s = list.get(i);
                named.add(new TestBackends.Spec("s" + i, s.weight(), s.maxConnections(), s.state(), s.connections()));
            }
            return named;
        });
    }

    @Property(tries = 200)
    void thePickHasTheLowestLoadRatioAmongServersWithRoom(@ForAll("loadedServers") List<TestBackends.Spec> specs) {
        Backend backend = TestBackends.of(specs);
        LeastConnections lc = TestBackends.updated(new LeastConnections(), backend);
        for (int k = 0; k < 20; k++) {
            Pick pick = lc.pick(0, null);
            if (backend.servers().stream().allMatch(Server::isFull)) {
                assertSame(Pick.ALL_FULL, pick);
                return;
            }
            Server chosen = pick.server();
            double chosenRatio = (chosen.connections() + 1.0) / chosen.weight();
            for (Server s : backend.servers()) {
                if (!s.isFull()) {
                    assertTrue(chosenRatio <= (s.connections() + 1.0) / s.weight(),
                            chosen + " at ratio " + chosenRatio + " over " + s + " with " + s.connections() + "/" + s.weight());
                }
            }
            EngineAccess.live(chosen).tryAcquire();
        }
    }

    @Test
    void equalServersShareTiesInTurn() {
        Backend backend = TestBackends.weighted(1, 1, 1, 1);
        LeastConnections lc = TestBackends.updated(new LeastConnections(), backend);
        for (int round = 0; round < 3; round++) {
            Set<Server> seen = new HashSet<>();
            for (int k = 0; k < 4; k++) {
                seen.add(lc.pick(0, null).server());
            }
            assertEquals(4, seen.size(), "four ties, four different servers");
        }
    }

    @Test
    void weightsOneTwoOneOverFourThousandTunnelsGiveOneTwoOneThousand() {
        Backend backend = TestBackends.weighted(1, 2, 1);
        LeastConnections lc = TestBackends.updated(new LeastConnections(), backend);
        for (int k = 0; k < 4_000; k++) {
            assertTrue(EngineAccess.live(lc.pick(0, null).server()).tryAcquire());
        }
        assertEquals(1_000, backend.servers().get(0).connections(), 1);
        assertEquals(2_000, backend.servers().get(1).connections(), 1);
        assertEquals(1_000, backend.servers().get(2).connections(), 1);
    }
}
