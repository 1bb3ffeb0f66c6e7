package lb.core.engine;

import java.nio.channels.SelectionKey;

/**
 * What a selection key's attachment does when its channel is ready. Runs on the loop thread.
 * Should not throw; if it does, the loop logs and counts the fault, calls {@link #onFault} so
 * the handler can end what it was doing, and goes on with the next key.
 */
public interface Handler {
    void onReady(SelectionKey key);

    /** {@link #onReady} threw: release what it holds (a tunnel closes with an internal error). */
    default void onFault(RuntimeException fault) {
    }
}
