package lb.core.engine;

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

    /** The oldest command, or null; the loop runs it (guarded). Any thread may poll. */
    Runnable poll() {
        return commands.poll();
    }

    boolean isEmpty() {
        return commands.isEmpty();
    }
}
