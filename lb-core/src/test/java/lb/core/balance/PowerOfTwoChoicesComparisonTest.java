package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.model.Server;
import lb.core.model.ServerState;

/**
 * How {@link PowerOfTwoChoices} compares its two draws: always two different servers, by the
 * load ratio counting the new tunnel, the avoided server only as the last choice, and a
 * least-loaded scan when neither draw can take the tunnel.
 */
class PowerOfTwoChoicesComparisonTest {

    @Test
    void withTwoServersEveryPickComparesBothSoTheLighterAlwaysWins() {
        // Whichever server is drawn first, the second draw is the other one.
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("loaded", 1, 0, ServerState.READY, 5), TestBackends.Spec.ready("idle", 1)));
        PowerOfTwoChoices p2c = TestBackends.updated(new PowerOfTwoChoices(3), backend);
        for (int k = 0; k < 1_000; k++) {
            assertSame(backend.server("idle"), p2c.pick(0, null).server(), "pick " + k);
        }
    }

    @Test
    void theLoadRatioCountsTheNewTunnel() {
        // (1 + 1) / 1 = 2 against (4 + 1) / 3 = 1.67: the heavier server holding more is lighter.
        // Without counting the new tunnel it would be 1 against 1.33, the other way round.
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("light", 1, 0, ServerState.READY, 1),
                new TestBackends.Spec("heavy", 3, 0, ServerState.READY, 4)));
        PowerOfTwoChoices p2c = TestBackends.updated(new PowerOfTwoChoices(5), backend);
        for (int k = 0; k < 200; k++) {
            assertSame(backend.server("heavy"), p2c.pick(0, null).server(), "pick " + k);
        }
    }

    @Test
    void theAvoidedServerIsNeverPickedWhileAnotherHasRoom() {
        // "avoid" is the lightest, so a scan that forgot it was avoided would pick it.
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 0, ServerState.READY, 3),
                TestBackends.Spec.ready("avoid", 1),
                new TestBackends.Spec("full", 1, 1, ServerState.READY, 1)));
        Server avoid = backend.server("avoid");
        PowerOfTwoChoices p2c = TestBackends.updated(new PowerOfTwoChoices(9), backend);
        for (int k = 0; k < 1_000; k++) {
            assertSame(backend.server("a"), p2c.pick(0, avoid).server(), "pick " + k);
        }
    }

    @Test
    void whenBothDrawsAreFullTheLeastLoadedServerWithRoomIsPicked() {
        // Draws of the two full servers fall back to a scan, which must find "light", never
        // "heavy". Other pairs pick "light" when it is drawn and "heavy" only when it is drawn
        // with a full server: a third of the pairs, by equal weights.
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("light", 1, 0, ServerState.READY, 1),
                new TestBackends.Spec("heavy", 1, 0, ServerState.READY, 50),
                new TestBackends.Spec("full-1", 1, 1, ServerState.READY, 1),
                new TestBackends.Spec("full-2", 1, 1, ServerState.READY, 1)));
        PowerOfTwoChoices p2c = TestBackends.updated(new PowerOfTwoChoices(21), backend);
        int heavy = 0;
        int picks = 6_000;
        for (int k = 0; k < picks; k++) {
            Server s = p2c.pick(0, null).server();
            assertNotSame(backend.server("full-1"), s);
            assertNotSame(backend.server("full-2"), s);
            heavy += s == backend.server("heavy") ? 1 : 0;
        }
        // A third is 2,000; a scan that settled on "heavy" would add a sixth more, to 3,000.
        assertTrue(heavy > 1_700 && heavy < 2_400, heavy + " of " + picks + " picks went to the heavy server");
    }
}
