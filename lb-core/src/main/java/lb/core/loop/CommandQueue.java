package lb.core.loop;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A loop's inbox: any thread adds commands, the loop thread runs them between selects.
 * Commands are rare (hand-offs, wake-ups, control), so a linked queue's per-offer node is fine.
 */
final class CommandQueue {
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();

    void add(Runnable command) {
        commands.add(command);
    }

    /** Runs at most {@code limit} commands; returns how many ran. */
    int drain(int limit) {
        int ran = 0;
        Runnable r;
        while (ran < limit && (r = commands.poll()) != null) {
            ran++;
            r.run();
        }
        return ran;
    }

    boolean isEmpty() {
        return commands.isEmpty();
    }
}
