package lb.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import org.HdrHistogram.Histogram;

/**
 * Measures one target for one round. The target is started fresh for the connect and pub/sub
 * phases, and again for the idle memory phase, so both the cold connect figures and the memory
 * figures see a just-started process:
 *
 * <ol>
 *   <li>connect, cold: N clients connect flat out (within the in-flight bound), then disconnect;
 *   <li>warm-up, not recorded: the same a few times over, so the JIT has compiled the hot paths;
 *   <li>connect, warm: the same clients once more (same ids, so sticky entries are hit);
 *   <li>pub/sub at a fixed rate, QoS 0: delivery latency and the proxy's CPU per message;
 *   <li>pub/sub flat out, QoS 1 (the publishers' window paces them): throughput;
 *   <li>idle, proxies only: connections held in steps, the proxy's RSS (and live heap) read at each.
 * </ol>
 *
 * Load comes from separate worker processes that start together; CPU times are read from
 * {@code /proc} around each phase. Used by the benchmark's main thread.
 */
final class Measurement {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration IDLE_STEP_TIMEOUT = Duration.ofMinutes(6);
    /** Lets a proxy finish the work the last step gave it before its memory is read. */
    private static final long SETTLE_MS = 1_000;
    private static final int SETTLE_READINGS = 20;
    private static final int CLIENTS_PER_IDLE_PROCESS = 10_000;

    private final BenchmarkOptions options;
    private final JavaCommand java;
    private final Brokers brokers;
    private final Path logs;
    private int workersStarted;
    private int sourcesUsed;

    Measurement(BenchmarkOptions options, JavaCommand java, Brokers brokers, Path logs) {
        this.options = options;
        this.java = java;
        this.brokers = brokers;
        this.logs = logs;
    }

    /** CPU and wall time around one phase, and what the load generators saw. */
    private record Phase(LoadOutcome load, long wallNs, long proxyCpuNs, long brokersCpuNs) {
        double share(long cpuNs) {
            return wallNs > 0 ? 100.0 * cpuNs / wallNs : Double.NaN;
        }
    }

    RoundFigures measure(Target target, int round) throws IOException, InterruptedException {
        RoundFigures f = new RoundFigures(target.name(), round);
        String ids = "r" + round + "-" + target.name() + "-";
        target.start();
        try {
            Phase cold = connect(target, ids, 1);
            check(f, "cold connect", cold.load);
            f.put(Metric.CONNECTS_COLD, cold.load.connectsPerSecond());
            f.put(Metric.CONNECT_P99_COLD, percentileMs(cold.load.connectLatency(), 99));
            f.putHistogram(RoundFigures.CONNECT_COLD, cold.load.connectLatency());

            if (options.warmUpPasses > 0) {
                connect(target, ids, options.warmUpPasses);
            }
            Phase warm = connect(target, ids, 1);
            check(f, "warm connect", warm.load);
            f.put(Metric.CONNECTS_WARM, warm.load.connectsPerSecond());
            f.put(Metric.CONNECT_P50, percentileMs(warm.load.connectLatency(), 50));
            f.put(Metric.CONNECT_P99, percentileMs(warm.load.connectLatency(), 99));
            f.putHistogram(RoundFigures.CONNECT_WARM, warm.load.connectLatency());
            f.put(Metric.LOADGEN_CPU_CONNECT, warm.share(warm.load.cpuNs()));
            f.put(Metric.BROKERS_CPU_CONNECT, warm.share(warm.brokersCpuNs));
            if (target.isProxy()) {
                f.put(Metric.CPU_PER_1000_CONNECTS, warm.proxyCpuNs / 1e6 / warm.load.connected() * 1000);
                f.put(Metric.PROXY_CPU_CONNECT, warm.share(warm.proxyCpuNs));
            }

            Phase fixed = pubsub(target, ids, options.rate, 0, options.pubsubDuration);
            check(f, "fixed-rate pub/sub", fixed.load);
            f.put(Metric.MESSAGES_FIXED, fixed.load.deliveriesPerSecond());
            f.put(Metric.DELIVERY_P50, percentileMs(fixed.load.deliveryLatency(), 50));
            f.put(Metric.DELIVERY_P99, percentileMs(fixed.load.deliveryLatency(), 99));
            f.putHistogram(RoundFigures.DELIVERY, fixed.load.deliveryLatency());
            if (target.isProxy()) {
                f.put(Metric.CPU_PER_100K_MESSAGES, fixed.proxyCpuNs / 1e6 / fixed.load.delivered() * 100_000);
            }

            if (!options.flatOutDuration.isZero()) {
                Phase flat = pubsub(target, ids, 0, 1, options.flatOutDuration);
                check(f, "flat-out pub/sub", flat.load);
                f.put(Metric.MESSAGES_FLAT_OUT, flat.load.deliveriesPerSecond());
                f.put(Metric.LOADGEN_CPU_FLAT_OUT, flat.share(flat.load.cpuNs()));
                f.put(Metric.BROKERS_CPU_FLAT_OUT, flat.share(flat.brokersCpuNs));
                if (target.isProxy()) {
                    f.put(Metric.PROXY_CPU_FLAT_OUT, flat.share(flat.proxyCpuNs));
                }
            }
        } finally {
            target.close();
        }
        if (target.isProxy()) {
            target.start();
            try {
                idle(target, f, ids);
            } finally {
                target.close();
            }
        }
        return f;
    }

    /** Each worker runs its share of the connect load {@code passes} times; the figures are the last pass's. */
    private Phase connect(Target target, String ids, int passes) throws IOException, InterruptedException {
        int workers = options.connectWorkers();
        // Several workers share the machine with brokers and proxy: one loop thread each is plenty.
        int threadsPerWorker = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        List<List<String>> args = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int clients = share(options.connections, workers, w);
            int inflight = Math.max(1, share(options.inflight, workers, w));
            InetSocketAddress to = target.connectAddress(w);
            List<String> sources = new ArrayList<>();
            for (int p = 0; p < passes; p++) {
                sources.add(nextSourceAddress());
            }
            args.add(List.of(hostPort(brokers.addresses().get(w % brokers.addresses().size())), String.join(",", sources), "connect",
                    "--target", hostPort(to), "--clients", Integer.toString(clients), "--inflight", Integer.toString(inflight),
                    "--client-id-prefix", ids + "w" + w + "-", "--threads", Integer.toString(threadsPerWorker), "--quiet"));
        }
        return run(target, args, Duration.ofMinutes(5));
    }

    private Phase pubsub(Target target, String ids, double rate, int qos, Duration duration)
            throws IOException, InterruptedException {
        // Warm up against another broker than the measured one when there is one.
        InetSocketAddress warmUp = brokers.addresses().get(brokers.addresses().size() > 1 ? 1 : 0);
        List<String> args = List.of(hostPort(warmUp), nextSourceAddress(), "pubsub", "--target", hostPort(target.pubsubAddress()),
                "--publishers", Integer.toString(options.publishers), "--subscribers", Integer.toString(options.subscribers),
                "--size", Integer.toString(options.messageSize), "--rate", String.format(Locale.ROOT, "%.3f", rate),
                "--qos", Integer.toString(qos), "--duration", duration.toMillis() + "ms",
                "--client-id-prefix", ids + (qos == 0 ? "fixed-" : "flat-"), "--quiet");
        return run(target, List.of(args), duration.plusMinutes(3));
    }

    /** Starts one worker per argument list, waits for all to be ready, starts them together, collects. */
    private Phase run(Target target, List<List<String>> argLists, Duration timeout) throws IOException, InterruptedException {
        List<ChildProcess> workers = new ArrayList<>();
        try {
            for (List<String> args : argLists) {
                String name = "load-" + (++workersStarted);
                workers.add(ChildProcess.start(name, java.command(LoadWorker.class, args), logs.resolve(name + ".log"), true));
            }
            for (ChildProcess w : workers) {
                w.await("ready", READY_TIMEOUT);
            }
            long proxyCpu0 = proxyCpuNs(target);
            long brokersCpu0 = brokers.cpuNs();
            long t0 = System.nanoTime();
            for (ChildProcess w : workers) {
                w.send("go");
            }
            List<LoadOutcome> outcomes = new ArrayList<>();
            for (ChildProcess w : workers) {
                outcomes.add(LoadOutcome.decode(w.await("result", timeout)));
            }
            long wall = System.nanoTime() - t0;
            return new Phase(LoadOutcome.merge(outcomes), wall, proxyCpuNs(target) - proxyCpu0, brokers.cpuNs() - brokersCpu0);
        } finally {
            for (ChildProcess w : workers) {
                w.close();
            }
        }
    }

    private void idle(Target target, RoundFigures f, String ids) throws IOException, InterruptedException {
        long pid = target.pid().orElseThrow();
        int processes = (options.maxIdle() + CLIENTS_PER_IDLE_PROCESS - 1) / CLIENTS_PER_IDLE_PROCESS;
        List<ChildProcess> holders = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                String name = "idle-" + (++workersStarted);
                holders.add(ChildProcess.start(name, java.command(IdleClients.class,
                                List.of(hostPort(target.connectAddress(i)), nextSourceAddress(), ids + "idle" + i + "-")),
                        logs.resolve(name + ".log"), true));
            }
            long rss0 = settledRss(pid);
            OptionalLong heap0 = target.heapAfterGc();
            int held = 0;
            long firstStepRss = 0;
            long rss = rss0;
            OptionalLong heap = heap0;
            for (int step : options.idleSteps) {
                held = open(holders, held, step, f);
                rss = settledRss(pid);
                heap = target.heapAfterGc();
                f.put(Metric.RSS_PER_IDLE_PREFIX + step, (double) (rss - rss0) / step);
                if (step == options.idleSteps[0]) {
                    firstStepRss = rss;
                }
            }
            f.put(Metric.RSS_STARTED, rss0 / 1e6);
            f.put(Metric.RSS_AT_MAX_IDLE, rss / 1e6);
            if (options.idleSteps.length > 1) {
                f.put(Metric.RSS_PER_IDLE_MARGINAL, (double) (rss - firstStepRss) / (options.maxIdle() - options.idleSteps[0]));
            }
            if (heap0.isPresent() && heap.isPresent()) {
                f.put(Metric.HEAP_PER_IDLE, (double) (heap.getAsLong() - heap0.getAsLong()) / options.maxIdle());
            }
        } finally {
            for (ChildProcess h : holders) {
                h.close();
            }
        }
    }

    /**
     * The RSS once it has stopped moving: after a first pause, readings half a second apart
     * until two agree within 0.5%, at most {@value #SETTLE_READINGS} of them. A JVM frees its
     * compiler's scratch memory some seconds after a burst of compiling; HAProxy settles at once.
     */
    static long settledRss(long pid) throws InterruptedException {
        Thread.sleep(SETTLE_MS);
        long previous = ProcessUsage.rssBytes(pid);
        for (int i = 0; i < SETTLE_READINGS; i++) {
            Thread.sleep(SETTLE_MS / 2);
            long now = ProcessUsage.rssBytes(pid);
            if (Math.abs(now - previous) < previous / 200) {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /** Tops the holders up from {@code held} to {@code total} connections, filling one process after another. */
    private static int open(List<ChildProcess> holders, int held, int total, RoundFigures f) throws InterruptedException {
        List<ChildProcess> asked = new ArrayList<>();
        for (int i = 0; i < holders.size(); i++) {
            int before = Math.max(0, Math.min(CLIENTS_PER_IDLE_PROCESS, held - i * CLIENTS_PER_IDLE_PROCESS));
            int after = Math.max(0, Math.min(CLIENTS_PER_IDLE_PROCESS, total - i * CLIENTS_PER_IDLE_PROCESS));
            if (after > before) {
                holders.get(i).send("open " + (after - before));
                asked.add(holders.get(i));
            }
        }
        for (ChildProcess h : asked) {
            String[] liveAndFailed = h.await("open", IDLE_STEP_TIMEOUT).split(" ");
            if (!liveAndFailed[1].equals("0")) {
                f.problem("idle step to " + total + ": " + liveAndFailed[1] + " connections failed in " + h.name());
            }
        }
        return total;
    }

    static long proxyCpuNs(Target target) {
        OptionalLong pid = target.pid();
        return pid.isPresent() ? ProcessUsage.cpuNs(pid.getAsLong()) : 0;
    }

    static void check(RoundFigures f, String phase, LoadOutcome load) {
        if (!load.isClean()) {
            f.problem(String.format(Locale.ROOT, "%s: %d failed, %d lost%s", phase, load.failed(), load.lost(),
                    load.timedOut() ? ", time limit hit" : ""));
        }
    }

    static double percentileMs(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
    }

    /** Worker {@code w}'s part of {@code total} split over {@code workers}; the parts differ by at most one. */
    private static int share(int total, int workers, int w) {
        return total / workers + (w < total % workers ? 1 : 0);
    }

    /**
     * A loopback address no earlier pass of this run has used (see {@link LoadWorker} for why):
     * 127.1.0.1, 127.1.0.2, ... 250 per third octet.
     */
    private String nextSourceAddress() {
        int n = sourcesUsed++;
        return "127.1." + (n / 250 % 256) + "." + (n % 250 + 1);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
