package lb.core.stick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Many loops use one table at once: nothing is lost, nothing overflows, nothing is torn. */
class LruStickTableConcurrencyTest {
    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 1_000_000;
    private static final int KEYS_PER_THREAD = 10_000;

    /** What one thread believes about its own keys; no other thread touches them. */
    private static final class Model {
        final String[] keys = new String[KEYS_PER_THREAD];
        final String[] server = new String[KEYS_PER_THREAD];
        final boolean[] exists = new boolean[KEYS_PER_THREAD];
        final int[] connections = new int[KEYS_PER_THREAD];

        Model(int thread) {
            for (int k = 0; k < KEYS_PER_THREAD; k++) {
                keys[k] = "loop-" + thread + "-client-" + k;
            }
        }

        int size() {
            int n = 0;
            for (boolean e : exists) {
                n += e ? 1 : 0;
            }
            return n;
        }
    }

    @Test
    void fourThreadsTimesAMillionRandomOperationsLoseNoStoreAndSizeMatchesIteration() throws Exception {
        LruStickTable table = new LruStickTable(100_000, Duration.ofDays(1), 64, Duration.ofSeconds(10));
        Model[] models = new Model[THREADS];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            Model m = models[t] = new Model(t);
            long seed = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    runOwnKeys(table, m, new SplittableRandom(seed));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
        int expected = 0;
        for (Model m : models) {
            expected += m.size();
            for (int k = 0; k < KEYS_PER_THREAD; k++) {
                assertEquals(m.server[k], table.lookup(m.keys[k], 1), m.keys[k]);
                assertEquals(m.connections[k], table.connections(m.keys[k], 1), m.keys[k]);
            }
        }
        AtomicInteger iterated = new AtomicInteger();
        table.forEach(1, e -> iterated.incrementAndGet());
        assertEquals(expected, table.size());
        assertEquals(expected, iterated.get());
    }

    @Test
    void threadsFightingOverFewKeysInATinyTableNeverOverflowIt() throws Exception {
        LruStickTable table = new LruStickTable(64, Duration.ofMillis(1), 16, Duration.ofSeconds(1));
        String[] keys = new String[200];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = "k" + k;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            long seed = 100 + t;
            threads[t] = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                    for (int i = 0; i < 200_000; i++) {
                        String key = keys[random.nextInt(keys.length)];
                        long now = i * 10_000L;
                        switch (random.nextInt(5)) {
                            case 0 -> table.store(key, "s" + (i & 3), now);
                            case 1 -> table.lookup(key, now);
                            case 2 -> table.countConnection(key, now);
                            case 3 -> table.releaseConnection(key, now);
                            default -> table.remove(key);
                        }
                        if (table.size() > 64) {
                            throw new AssertionError("size " + table.size());
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
        AtomicInteger iterated = new AtomicInteger();
        table.forEach(Long.MIN_VALUE / 2, e -> iterated.incrementAndGet());
        assertTrue(table.size() <= 64);
        assertEquals(table.size(), iterated.get());
    }

    private static void runOwnKeys(LruStickTable table, Model m, SplittableRandom random) {
        for (int i = 0; i < OPS_PER_THREAD; i++) {
            int k = random.nextInt(KEYS_PER_THREAD);
            String key = m.keys[k];
            long now = i;
            switch (random.nextInt(8)) {
                case 0, 1 -> {
                    String server = (k & 1) == 0 ? "broker-a" : "broker-b";
                    check(table.store(key, server, now), key, "store refused");
                    m.server[k] = server;
                    m.exists[k] = true;
                }
                case 2, 3 -> check(same(m.server[k], table.lookup(key, now)), key, "lookup");
                case 4 -> {
                    check(table.remove(key) == m.exists[k], key, "remove");
                    m.server[k] = null;
                    m.exists[k] = false;
                    m.connections[k] = 0;
                }
                case 5 -> {
                    table.countConnection(key, now);
                    m.exists[k] = true;
                    m.connections[k]++;
                }
                case 6 -> {
                    table.releaseConnection(key, now);
                    if (m.exists[k] && m.connections[k] > 0) {
                        m.connections[k]--;
                    }
                }
                default -> check(table.connections(key, now) == m.connections[k], key, "connections");
            }
        }
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static void check(boolean ok, String key, String what) {
        if (!ok) {
            throw new AssertionError(what + " disagrees for " + key);
        }
    }
}
