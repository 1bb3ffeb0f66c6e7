package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Server;

class PowerOfTwoChoicesTest {

    @Test
    void weightsOneTwoOneOverFourThousandTunnelsGiveAboutOneTwoOneThousand() {
        Backend backend = TestBackends.weighted(1, 2, 1);
        PowerOfTwoChoices p2c = TestBackends.updated(new PowerOfTwoChoices(7), backend);
        for (int k = 0; k < 4_000; k++) {
            assertTrue(EngineAccess.live(p2c.pick(0, null).server()).tryAcquire());
        }
        assertEquals(1_000, backend.servers().get(0).connections(), 40);
        assertEquals(2_000, backend.servers().get(1).connections(), 40);
        assertEquals(1_000, backend.servers().get(2).connections(), 40);
    }

    @Test
    void aLoadedServerLosesEveryComparisonWhileTheOthersAreLighter() {
        Backend backend = TestBackends.weighted(1, 1, 1, 1, 1);
        Server busy = backend.servers().get(2);
        for (int k = 0; k < 100; k++) {
            EngineAccess.live(busy).tryAcquire();
        }
        PowerOfTwoChoices p2c = TestBackends.updated(new PowerOfTwoChoices(11), backend);
        int toBusy = 0;
        for (int k = 0; k < 200; k++) {
            Server s = p2c.pick(0, null).server();
            if (s == busy) {
                toBusy++;
            }
            EngineAccess.live(s).tryAcquire();
        }
        assertEquals(0, toBusy, "the two draws are always two different servers");
    }

    @Test
    void sameSeedSameChoices() {
        Backend backend = TestBackends.weighted(3, 1, 4, 1, 5);
        PowerOfTwoChoices one = TestBackends.updated(new PowerOfTwoChoices(99), backend);
        PowerOfTwoChoices other = TestBackends.updated(new PowerOfTwoChoices(99), backend);
        for (int k = 0; k < 500; k++) {
            assertEquals(one.pick(0, null), other.pick(0, null));
        }
    }
}
