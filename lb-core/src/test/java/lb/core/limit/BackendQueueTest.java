package lb.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The queue's order, one thread waking: higher classes first, a bounded share for lower ones, FIFO within. */
class BackendQueueTest {
    private final List<String> woken = new ArrayList<>();

    private final class Waiter implements BackendQueue.Waiter {
        final String name;
        final int priority;

        Waiter(String name, int priority) {
            this.name = name;
            this.priority = priority;
        }

        @Override
        public void wake() {
            woken.add(name);
        }

        @Override
        public int priority() {
            return priority;
        }
    }

    @Test
    void whileBothWaitALowerClassGetsOneSlotAfterEveryBurstOfHigherOnes() {
        BackendQueue q = new BackendQueue(100, 4);
        for (int i = 0; i < 10; i++) {
            q.offer(new Waiter("lo" + i, 0));
            q.offer(new Waiter("hi" + i, 2));
        }
        for (int i = 0; i < 20; i++) {
            q.wakeNext();
        }
        assertEquals(List.of("hi0", "hi1", "hi2", "hi3", "lo0", "hi4", "hi5", "hi6", "hi7", "lo1", "hi8", "hi9",
                "lo2", "lo3", "lo4", "lo5", "lo6", "lo7", "lo8", "lo9"), woken);
        assertEquals(0, q.size());
    }

    @Test
    void aBurstOfOneAlternates() {
        BackendQueue q = new BackendQueue(100, 1);
        for (int i = 0; i < 3; i++) {
            q.offer(new Waiter("hi" + i, 7));
            q.offer(new Waiter("lo" + i, 1));
        }
        for (int i = 0; i < 6; i++) {
            q.wakeNext();
        }
        assertEquals(List.of("hi0", "lo0", "hi1", "lo1", "hi2", "lo2"), woken);
    }

    @Test
    void eachWaitingLowerClassCountsItsOwnTurnHighestFirst() {
        BackendQueue q = new BackendQueue(100, 2);
        for (int i = 0; i < 6; i++) {
            q.offer(new Waiter("c2-" + i, 2));
        }
        q.offer(new Waiter("c1-0", 1));
        q.offer(new Waiter("c0-0", 0));
        for (int i = 0; i < 8; i++) {
            q.wakeNext();
        }
        // After two of class 2 both lower classes are due: class 1 goes first, then class 0.
        assertEquals(List.of("c2-0", "c2-1", "c1-0", "c0-0", "c2-2", "c2-3", "c2-4", "c2-5"), woken);
    }

    @Test
    void aRequeuedWaiterGoesBackToTheHeadOfItsClass() {
        BackendQueue q = new BackendQueue(100, 4);
        Waiter first = new Waiter("a", 3);
        q.offer(first);
        q.offer(new Waiter("b", 3));
        q.wakeNext();
        q.requeue(first); // lost its slot to a racing pick
        q.wakeNext();
        q.wakeNext();
        assertEquals(List.of("a", "a", "b"), woken);
    }

    @Test
    void theBoundCoversEveryClassAndRemovalFreesRoom() {
        BackendQueue q = new BackendQueue(3, 4);
        Waiter gaveUp = new Waiter("x", 5);
        assertTrue(q.offer(new Waiter("a", 0)));
        assertTrue(q.offer(gaveUp));
        assertTrue(q.offer(new Waiter("b", 2)));
        assertFalse(q.offer(new Waiter("c", 7)), "full over all classes");
        assertEquals(1, q.size(5));
        assertTrue(q.remove(gaveUp));
        assertFalse(q.remove(gaveUp));
        assertEquals(0, q.size(5));
        assertTrue(q.offer(new Waiter("c", 7)));
        assertEquals(3, q.size());
        assertEquals(3, q.peak());
        for (int i = 0; i < 4; i++) {
            q.wakeNext();
        }
        assertEquals(List.of("c", "b", "a"), woken);
    }
}
