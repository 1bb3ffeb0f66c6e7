package lb.core.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import lb.core.config.Rebalance;
import lb.core.model.Termination;
import lb.core.stats.RebalanceStats;
import lb.core.stick.StickTable;

/**
 * One rebalance of a backend: a plan made once from the servers' connections and weights, and
 * the paced ending ({@link PacedEnding}) that carries it out. Thread-safe: the plan's quotas are
 * atomics the loops take from.
 *
 * <p>The plan: each usable server's share is the clients times its weight over the total
 * weight. If every server is within {@code tolerance} of its share, nothing moves. Otherwise
 * each server above its share gives up what it holds beyond it ({@link #from}), and each server
 * below its share is due what it lacks ({@link #to}). A moved client's stick-table entry is
 * re-pointed, before its tunnel ends, to a server still due clients, so it lands there when it
 * reconnects; without a table the balancer sends it to the least loaded as usual.
 */
final class Rebalancer extends PacedEnding {
    private final LiveBackend backend;
    private final long startedAtMillis = System.currentTimeMillis();
    private final int perSecond;
    private final LiveServer[] donors;
    private final AtomicInteger[] donorLeft;
    private final LiveServer[] recipients;
    private final AtomicInteger[] recipientLeft;
    private final AtomicInteger nextRecipient = new AtomicInteger();
    /**
     * Tunnels taken so far, counted as each is taken: the paced ending's own count is added to
     * only after a whole batch, so a watch on another loop could see the quotas spent and
     * finish with the last of a batch not yet counted.
     */
    private final AtomicInteger moved = new AtomicInteger();
    private final Map<String, Integer> from = new LinkedHashMap<>();
    private final Map<String, Integer> to = new LinkedHashMap<>();
    private final int planned;
    private final String cause;

    private Rebalancer(EventLoopGroup group, LiveBackend backend, Rebalance how, String cause, List<LiveServer> servers) {
        super(group, Termination.REBALANCED, "rebalancing backend " + backend.name(), how.clientsPerSecond(),
                how.limit().toNanos(), false);
        this.backend = backend;
        this.perSecond = how.clientsPerSecond();
        this.cause = cause;
        long clients = 0;
        long weights = 0;
        for (LiveServer s : servers) {
            clients += s.connections();
            weights += s.configuredWeight();
        }
        List<LiveServer> give = new ArrayList<>();
        List<Integer> giveCounts = new ArrayList<>();
        List<LiveServer> take = new ArrayList<>();
        List<Integer> takeCounts = new ArrayList<>();
        boolean within = true;
        for (LiveServer s : servers) {
            double share = weights == 0 ? 0 : (double) clients * s.configuredWeight() / weights;
            int held = s.connections();
            if (Math.abs(held - share) > Math.max(1, how.tolerance() * share)) {
                within = false;
            }
            if (held > Math.ceil(share)) {
                give.add(s);
                giveCounts.add(held - (int) Math.ceil(share));
            } else if (held < Math.floor(share)) {
                take.add(s);
                takeCounts.add((int) Math.floor(share) - held);
            }
        }
        if (within) {
            give.clear();
            take.clear();
        }
        int total = 0;
        donors = give.toArray(new LiveServer[0]);
        donorLeft = new AtomicInteger[donors.length];
        for (int i = 0; i < donors.length; i++) {
            donorLeft[i] = new AtomicInteger(giveCounts.get(i));
            from.put(donors[i].name(), giveCounts.get(i));
            total += giveCounts.get(i);
        }
        recipients = take.toArray(new LiveServer[0]);
        recipientLeft = new AtomicInteger[recipients.length];
        for (int i = 0; i < recipients.length; i++) {
            recipientLeft[i] = new AtomicInteger(takeCounts.get(i));
            to.put(recipients[i].name(), takeCounts.get(i));
        }
        planned = total;
    }

    /**
     * Plans a rebalance of {@code backend}'s usable servers now and starts moving at its pace;
     * {@code cause} says why, for stats and logs.
     */
    static Rebalancer start(EventLoopGroup group, LiveBackend backend, Rebalance how, String cause,
                            CompletableFuture<RebalanceStats> done) {
        List<LiveServer> usable = new ArrayList<>();
        for (LiveServer s : backend.servers()) {
            if (s.isUsable()) {
                usable.add(s);
            }
        }
        Rebalancer r = new Rebalancer(group, backend, how, cause, usable);
        if (r.planned == 0) {
            r.stop();
            done.complete(r.stats());
        } else {
            r.start().thenRun(() -> done.complete(r.stats()));
        }
        return r;
    }

    @Override
    boolean takes(Tunnel t) {
        if (!t.isForwarding()) {
            return false;
        }
        LiveServer on = t.server();
        for (int i = 0; i < donors.length; i++) {
            if (donors[i] == on) {
                if (!takeOne(donorLeft[i])) {
                    return false;
                }
                repoint(t);
                moved.incrementAndGet();
                return true;
            }
        }
        return false;
    }

    /** Points the moving client's stick entry at a server still due clients (taken in turn). */
    private void repoint(Tunnel t) {
        StickTable table = backend.stickTable();
        String key = t.stickKey();
        int n = recipients.length;
        for (int k = 0; k < n; k++) {
            int i = Math.floorMod(nextRecipient.getAndIncrement(), n);
            if (takeOne(recipientLeft[i])) {
                if (table != null && key != null) {
                    table.store(key, recipients[i].name(), group().nowNs());
                }
                return;
            }
        }
    }

    private static boolean takeOne(AtomicInteger left) {
        while (true) {
            int n = left.get();
            if (n <= 0) {
                return false;
            }
            if (left.compareAndSet(n, n - 1)) {
                return true;
            }
        }
    }

    /** Every planned client taken (each donor's quota spent, and each taking counted). */
    @Override
    boolean isEmpty() {
        return moved.get() >= planned;
    }

    /** Where the rebalance stands now. Any thread. */
    RebalanceStats stats() {
        return new RebalanceStats(!isOver(), startedAtMillis, perSecond, planned, moved.get(), from, to, cause);
    }
}
