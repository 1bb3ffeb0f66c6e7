package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.Backend;
import lb.core.EngineAccess;
import lb.core.model.Server;
import lb.core.model.ServerState;

class SourceHashTest {

    @Test
    void oneClientAddressAlwaysReachesOneServerAndAddressesSpreadByWeight() throws UnknownHostException {
        Backend backend = TestBackends.weighted(1, 2, 1);
        SourceHash hash = TestBackends.updated(new SourceHash(), backend);
        Backend declaredBackwards = TestBackends.of(List.of(TestBackends.Spec.ready("s2", 1),
                TestBackends.Spec.ready("s1", 2), TestBackends.Spec.ready("s0", 1)));
        SourceHash otherInstance = TestBackends.updated(new SourceHash(), declaredBackwards);
        int[] counts = new int[3];
        for (int i = 0; i < 40_000; i++) {
            long h = KeyHash.of(address(i));
            Server s = hash.pick(h, null).server();
            assertSame(s, hash.pick(h, null).server());
            assertEquals(s.name(), otherInstance.pick(h, null).server().name());
            counts[backend.servers().indexOf(s)]++;
        }
        assertEquals(10_000, counts[0], 600);
        assertEquals(20_000, counts[1], 600);
        assertEquals(10_000, counts[2], 600);
    }

    @Test
    void clientsOfAFullServerGoElsewhereAndTheRestStayPut() throws UnknownHostException {
        Backend backend = TestBackends.of(List.of(
                new TestBackends.Spec("a", 1, 1, ServerState.READY, 0),
                TestBackends.Spec.ready("b", 1), TestBackends.Spec.ready("c", 1)));
        SourceHash hash = TestBackends.updated(new SourceHash(), backend);
        Server a = backend.server("a");
        Server[] before = new Server[300];
        for (int i = 0; i < before.length; i++) {
            before[i] = hash.pick(KeyHash.of(address(i)), null).server();
        }
        EngineAccess.live(a).tryAcquire();
        for (int i = 0; i < before.length; i++) {
            Server now = hash.pick(KeyHash.of(address(i)), null).server();
            if (before[i] == a) {
                assertNotSame(a, now);
            } else {
                assertSame(before[i], now);
            }
        }
    }

    private static InetAddress address(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }
}
