package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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

class RoundRobinTest {

    @Property(tries = 150)
    void oneCycleOfSumOfWeightsPicksEachServerExactlyWeightTimes(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 20) Integer> weights) {
        Backend backend = TestBackends.weighted(toArray(weights));
        RoundRobin rr = TestBackends.updated(new RoundRobin(), backend);
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        for (int cycle = 0; cycle < 2; cycle++) {
            int[] counts = new int[weights.size()];
            for (int k = 0; k < total; k++) {
                counts[backend.servers().indexOf(rr.pick(0, null).server())]++;
            }
            assertEquals(weights, boxed(counts), "cycle " + cycle);
        }
    }

    @Property(tries = 150)
    void noServerIsPickedTwiceInARowWhileAnotherIsAsHeavy(
            @ForAll @Size(min = 2, max = 8) List<@IntRange(min = 1, max = 20) Integer> weights) {
        Backend backend = TestBackends.weighted(toArray(weights));
        RoundRobin rr = TestBackends.updated(new RoundRobin(), backend);
        int total = weights.stream().mapToInt(Integer::intValue).sum();
        Server previous = null;
        for (int k = 0; k < 3 * total; k++) {
            Server s = rr.pick(0, null).server();
            if (s == previous) {
                int repeated = weights.get(backend.servers().indexOf(s));
                for (Server other : backend.servers()) {
                    if (other != s) {
                        assertTrue(other.weight() < repeated,
                                s.name() + " (weight " + repeated + ") twice in a row although " + other.name()
                                        + " weighs " + other.weight() + ", weights " + weights);
                    }
                }
            }
            previous = s;
        }
    }

    @Test
    void weightsOneTwoOneOverFourThousandPicksGiveOneTwoOneThousand() {
        Backend backend = TestBackends.weighted(1, 2, 1);
        RoundRobin rr = TestBackends.updated(new RoundRobin(), backend);
        int[] counts = new int[3];
        for (int k = 0; k < 4_000; k++) {
            counts[backend.servers().indexOf(rr.pick(0, null).server())]++;
        }
        assertEquals(List.of(1_000, 2_000, 1_000), boxed(counts));
    }

    @Test
    void aChangedWeightTakesEffectAfterTheNextUpdate() {
        Backend backend = TestBackends.weighted(1, 1);
        RoundRobin rr = TestBackends.updated(new RoundRobin(), backend);
        rr.pick(0, null);
        backend.servers().get(0).weight(3);
        rr.update(backend.usableServers());
        int first = 0;
        for (int k = 0; k < 4_000; k++) {
            if (rr.pick(0, null).server() == backend.servers().get(0)) {
                first++;
            }
        }
        assertTrue(Math.abs(first - 3_000) <= 2, "first server got " + first + " of 4000 at weight 3:1");
    }

    @Test
    void aFullServerSitsOutAndTheAvoidedOneIsTheLastChoice() {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 1, ServerState.READY, 1),
                TestBackends.Spec.ready("b", 1)));
        RoundRobin rr = TestBackends.updated(new RoundRobin(), backend);
        Server b = backend.server("b");
        for (int k = 0; k < 10; k++) {
            assertSame(b, rr.pick(0, null).server());
        }
        assertSame(b, rr.pick(0, b).server(), "the only server with room is used even if avoided");
        EngineAccess.live(backend.server("a")).release();
        assertNotSame(b, rr.pick(0, b).server());
    }

    static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Integer> boxed(int[] counts) {
        List<Integer> out = new ArrayList<>();
        for (int c : counts) {
            out.add(c);
        }
        return out;
    }
}
