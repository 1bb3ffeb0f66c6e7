package lb.core.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import lb.core.stats.HealthChange;

/**
 * The servers' recent ups and downs, as successive snapshots of one load balancer saw them.
 * Not thread-safe: its collector holds the lock. Keeps the newest {@link #CAPACITY} changes.
 */
final class HealthHistory {
    static final int CAPACITY = 64;

    private record Seen(boolean up, long changedAtMillis) {
    }

    private final ArrayDeque<HealthChange> changes = new ArrayDeque<>();
    private Map<LiveServer, Seen> seen = new IdentityHashMap<>();

    /** Records every server whose health changed since the last call (or is down at first sight). */
    void observe(List<LiveBackend> backends) {
        Map<LiveServer, Seen> next = new IdentityHashMap<>();
        for (LiveBackend b : backends) {
            for (LiveServer s : b.servers()) {
                Seen now = read(s);
                Seen before = seen.get(s);
                boolean changed = before == null ? !now.up() : !before.equals(now);
                if (changed) {
                    record(new HealthChange(b.name(), s.name(), now.up(), s.healthReason(), now.changedAtMillis()));
                }
                next.put(s, now);
            }
        }
        seen = next;
    }

    /** The changes of {@code backend}'s servers, newest first. */
    List<HealthChange> of(String backend) {
        List<HealthChange> out = new ArrayList<>();
        for (HealthChange c : changes) {
            if (c.backend().equals(backend)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Health and its time, read consistently: a server sets its health first, then the time. */
    private static Seen read(LiveServer s) {
        while (true) {
            long at = s.healthChangedAtMillis();
            boolean up = s.isUp();
            if (at == s.healthChangedAtMillis()) {
                return new Seen(up, at);
            }
        }
    }

    private void record(HealthChange change) {
        changes.addFirst(change);
        if (changes.size() > CAPACITY) {
            changes.removeLast();
        }
    }
}
