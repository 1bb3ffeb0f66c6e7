package lb.core.testing;

import java.lang.management.ManagementFactory;

import lb.core.EngineAccess;
import lb.core.LoadBalancer;
import lb.core.engine.EventLoop;

/** CPU time and allocation of a load balancer's loop threads, from the JVM's thread bean. */
public final class LoopThreads {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LoopThreads() {
    }

    public static long cpuNanos(LoadBalancer lb) {
        long sum = 0;
        for (EventLoop loop : EngineAccess.loops(lb).loops()) {
            sum += THREADS.getThreadCpuTime(loop.thread().getId());
        }
        return sum;
    }

    public static long allocatedBytes(LoadBalancer lb) {
        long sum = 0;
        for (EventLoop loop : EngineAccess.loops(lb).loops()) {
            sum += THREADS.getThreadAllocatedBytes(loop.thread().getId());
        }
        return sum;
    }
}
