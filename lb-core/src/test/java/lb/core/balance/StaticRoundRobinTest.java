package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Server;
import lb.core.model.ServerState;

class StaticRoundRobinTest {

    @Property(tries = 100)
    void everyCycleOfSumOfWeightsPicksEachServerExactlyWeightTimes(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 20) Integer> weights) {
        Backend backend = TestBackends.weighted(RoundRobinTest.toArray(weights));
        StaticRoundRobin rr = TestBackends.updated(new StaticRoundRobin(), backend);
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        for (int cycle = 0; cycle < 2; cycle++) {
            int[] counts = new int[weights.size()];
            for (int k = 0; k < total; k++) {
                counts[backend.servers().indexOf(rr.pick(0, null).server())]++;
            }
            assertEquals(weights, RoundRobinTest.boxed(counts));
        }
    }

    @Test
    void theScheduleIsReducedByTheWeightsCommonDivisorAndInterleaved() {
        assertArrayEquals(new int[] {1, 0, 2, 1}, WeightedSchedule.interleave(new int[] {100, 200, 100}));
        assertArrayEquals(new int[] {0, 1, 0, 2, 0}, WeightedSchedule.interleave(new int[] {3, 1, 1}));
        assertArrayEquals(new int[0], WeightedSchedule.interleave(new int[0]));
    }

    @Test
    void aFullServerGivesItsTurnToTheNextSlotAndTheAvoidedOneIsTheLastChoice() {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 1, ServerState.READY, 1),
                new TestBackends.Spec("b", 1, 1, ServerState.READY, 0),
                TestBackends.Spec.ready("c", 1)));
        StaticRoundRobin rr = TestBackends.updated(new StaticRoundRobin(), backend);
        Server a = backend.server("a");
        for (int k = 0; k < 9; k++) {
            assertNotSame(a, rr.pick(0, null).server(), "picked the full server");
        }
        Server c = backend.server("c");
        assertSame(backend.server("b"), rr.pick(0, c).server());
        EngineAccess.live(backend.server("b")).tryAcquire();
        assertSame(c, rr.pick(0, c).server(), "only the avoided server has room");
    }
}
