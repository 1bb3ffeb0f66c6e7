package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

import lb.core.stats.DurationHistogram;

class DurationRecorderTest {
    @Test
    void recordsIntoBucketsAndLoopsAddUpWithTheLongestOfAll() {
        DurationRecorder one = new DurationRecorder();
        one.record(50_000);          // 50 us
        one.record(3_000_000);       // 3 ms
        DurationRecorder two = new DurationRecorder();
        two.record(-5);              // a clock that stepped back counts as 0
        two.record(20_000_000_000L); // 20 s
        DurationRecorder sum = new DurationRecorder();
        sum.add(one);
        sum.add(two);
        DurationHistogram h = sum.histogram();
        assertEquals(4, h.count());
        assertEquals(2, h.counts().get(0));
        assertEquals(1, h.counts().get(DurationHistogram.bucketOf(3_000_000)));
        assertEquals(1, h.counts().get(DurationHistogram.BUCKETS - 1));
        assertEquals(50_000 + 3_000_000 + 20_000_000_000L, h.sumNanos());
        assertEquals(20_000_000_000L, h.maxNanos());
        assertEquals(3_000_000, one.histogram().maxNanos(), "adding leaves the parts alone");
    }

    @Test
    void recordingAllocatesNothing() {
        DurationRecorder r = new DurationRecorder();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int k = 0; k < 20_000; k++) {
            r.record((long) k * 997_331);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < 100_000; k++) {
            r.record((long) k * 997_331);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4_096, "allocated " + allocated + " bytes in 100,000 records");
        assertEquals(120_000, r.histogram().count());
    }
}
