package lb.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

import lb.core.model.RejectReason;
import lb.core.model.Termination;

/** Termination counts and their grouping into rejects. */
class TerminationsTest {
    @Test
    void refusalsAreGroupedByWhatAnOperatorWouldDo() {
        assertEquals(RejectReason.LIMIT, RejectReason.of(Termination.QUEUE_FULL));
        assertEquals(RejectReason.LIMIT, RejectReason.of(Termination.QUEUE_TIMEOUT));
        assertEquals(RejectReason.TIMEOUT, RejectReason.of(Termination.INSPECT_TIMEOUT));
        assertEquals(RejectReason.INSPECTOR, RejectReason.of(Termination.INSPECT_REJECTED));
        assertEquals(RejectReason.INSPECTOR, RejectReason.of(Termination.PROXY_INVALID));
        assertEquals(RejectReason.RULE, RejectReason.of(Termination.KEY_RATE_LIMITED));
        assertEquals(RejectReason.NO_SERVER, RejectReason.of(Termination.NO_SERVER));
        assertEquals(RejectReason.CONNECT, RejectReason.of(Termination.CONNECT_TIMEOUT));
        assertNull(RejectReason.of(Termination.CLIENT_CLOSED), "a tunnel that was served is no reject");
        assertNull(RejectReason.of(Termination.SERVER_DOWN));
        assertNull(RejectReason.of(Termination.CLIENT_ABORTED), "the client left on its own");
    }

    @Test
    void everyTerminationIsPresentAndRejectsAddUp() {
        long[] byOrdinal = new long[Termination.values().length];
        for (Termination t : Termination.values()) {
            byOrdinal[t.ordinal()] = t.ordinal() + 1;
        }
        Terminations ends = Terminations.of(byOrdinal);
        assertEquals(Termination.values().length, ends.counts().size());
        long total = 0;
        long rejected = 0;
        for (Termination t : Termination.values()) {
            assertEquals(t.ordinal() + 1, ends.count(t));
            total += t.ordinal() + 1;
            rejected += RejectReason.of(t) == null ? 0 : t.ordinal() + 1;
        }
        assertEquals(total, ends.total());
        assertEquals(rejected, ends.rejectedTotal());
        assertEquals(rejected, ends.rejects().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(RejectReason.values().length, ends.rejects().size());
    }

    @Test
    void missingTerminationsCountZero() {
        Terminations ends = new Terminations(Map.of(Termination.SHUTDOWN, 3L));
        assertEquals(3, ends.count(Termination.SHUTDOWN));
        assertEquals(0, ends.count(Termination.CLIENT_CLOSED));
        assertEquals(3, ends.total());
        assertEquals(0, ends.rejectedTotal());
    }
}
