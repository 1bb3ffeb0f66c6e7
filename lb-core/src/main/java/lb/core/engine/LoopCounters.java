package lb.core.engine;

import lb.core.tls.TlsFailure;
import java.util.Arrays;

import lb.core.limit.BackendQueue;
import lb.core.model.Termination;

/**
 * The counters one event loop keeps, per frontend, backend and server (by their index), plus
 * the loop's own busy time. Single writer: only the owning loop increments, with plain field
 * writes, so counting costs a few stores and no contention. Any thread may read; reads are
 * eventually consistent, and a snapshot sums every loop's counters.
 */
public final class LoopCounters {
    private static final int ENDS = Termination.values().length;
    private static final int TLS_REASONS = TlsFailure.Reason.values().length;

    /** One frontend's, backend's or server's counts on this loop. */
    public static final class Counts {
        /** Tunnels accepted (frontend) or connected (backend, server). */
        public long tunnels;
        public long connectErrors;
        public long retries;
        public long redispatches;
        /** Bytes from clients to servers. */
        public long bytesIn;
        /** Bytes from servers to clients. */
        public long bytesOut;
        /** Finished tunnels by {@link Termination} ordinal. */
        public final long[] ends = new long[ENDS];
        /** TLS handshakes finished with clients (frontends that terminate TLS). */
        public long tlsHandshakes;
        /** TLS handshakes failed, by {@link TlsFailure.Reason} ordinal. */
        public final long[] tlsFailures = new long[TLS_REASONS];
        /** Connect times: from the first attempt (backend) or the attempt that succeeded (server). */
        public final DurationRecorder connectTime = new DurationRecorder();
        /** Waits in the queue of tunnels it let go to a server (backend). */
        public final DurationRecorder queueTime = new DurationRecorder();

        /** Adds {@code other} into this (for a snapshot's sums). */
        public void add(Counts other) {
            tunnels += other.tunnels;
            connectErrors += other.connectErrors;
            retries += other.retries;
            redispatches += other.redispatches;
            bytesIn += other.bytesIn;
            bytesOut += other.bytesOut;
            for (int i = 0; i < ENDS; i++) {
                ends[i] += other.ends[i];
            }
            tlsHandshakes += other.tlsHandshakes;
            for (int i = 0; i < TLS_REASONS; i++) {
                tlsFailures[i] += other.tlsFailures[i];
            }
            connectTime.add(other.connectTime);
            queueTime.add(other.queueTime);
        }
    }

    /**
     * One backend's counts per priority class on this loop, indexed by class: tunnels routed
     * to it, those that had to queue, those the queue let go to a server, those that timed out
     * there, and the waits of those let go (their sum, and the longest).
     */
    public static final class ClassCounts {
        public final long[] tunnels = new long[BackendQueue.CLASSES];
        public final long[] queued = new long[BackendQueue.CLASSES];
        public final long[] dequeued = new long[BackendQueue.CLASSES];
        public final long[] timedOut = new long[BackendQueue.CLASSES];
        public final long[] waitNs = new long[BackendQueue.CLASSES];
        public final long[] maxWaitNs = new long[BackendQueue.CLASSES];

        /** Adds {@code other} into this (for a snapshot's sums; the longest wait is the longest of both). */
        public void add(ClassCounts other) {
            for (int i = 0; i < BackendQueue.CLASSES; i++) {
                tunnels[i] += other.tunnels[i];
                queued[i] += other.queued[i];
                dequeued[i] += other.dequeued[i];
                timedOut[i] += other.timedOut[i];
                waitNs[i] += other.waitNs[i];
                maxWaitNs[i] = Math.max(maxWaitNs[i], other.maxWaitNs[i]);
            }
        }
    }

    private volatile Counts[] frontends = new Counts[4];
    private volatile Counts[] backends = new Counts[4];
    private volatile Counts[] servers = new Counts[16];
    private volatile ClassCounts[] classes = new ClassCounts[4];
    private volatile long busyNs;
    private volatile long faults;

    /** This loop's counts for frontend {@code index}; loop thread only. */
    public Counts frontend(int index) {
        Counts[] a = ensure(frontends, index);
        frontends = a;
        return a[index];
    }

    public Counts backend(int index) {
        Counts[] a = ensure(backends, index);
        backends = a;
        return a[index];
    }

    public Counts server(int slot) {
        Counts[] a = ensure(servers, slot);
        servers = a;
        return a[slot];
    }

    /** This loop's per-class counts for backend {@code index}; loop thread only. */
    public ClassCounts classes(int index) {
        ClassCounts[] a = classes;
        if (index >= a.length) {
            a = Arrays.copyOf(a, Math.max(index + 1, a.length * 2));
        }
        if (a[index] == null) {
            a[index] = new ClassCounts();
        }
        classes = a;
        return a[index];
    }

    /** The per-class counts for backend {@code index}, or null if none yet; any thread. */
    public ClassCounts classesOrNull(int index) {
        ClassCounts[] a = classes;
        return index < a.length ? a[index] : null;
    }

    /** Forgets a removed server's counts, so its slot can serve another; loop thread only. */
    public void clearServer(int slot) {
        Counts[] a = servers;
        if (slot < a.length) {
            a[slot] = null;
        }
    }

    /** Adds time the loop spent working (not waiting in select). */
    public void busy(long ns) {
        busyNs = busyNs + ns; // single writer: a plain add published by the volatile store
    }

    public long busyNs() {
        return busyNs;
    }

    /** Counts a unit of work that threw (a bug, in this library or a plug-in); loop thread only. */
    public void fault() {
        faults = faults + 1;
    }

    /** Units of work that threw on this loop. */
    public long faults() {
        return faults;
    }

    /** The counts for frontend {@code index}, or null if none yet; any thread. */
    public Counts frontendOrNull(int index) {
        Counts[] a = frontends;
        return index < a.length ? a[index] : null;
    }

    public Counts backendOrNull(int index) {
        Counts[] a = backends;
        return index < a.length ? a[index] : null;
    }

    public Counts serverOrNull(int slot) {
        Counts[] a = servers;
        return slot < a.length ? a[slot] : null;
    }

    private static Counts[] ensure(Counts[] a, int i) {
        if (i >= a.length) {
            a = Arrays.copyOf(a, Math.max(i + 1, a.length * 2));
        }
        if (a[i] == null) {
            a[i] = new Counts();
        }
        return a;
    }
}
