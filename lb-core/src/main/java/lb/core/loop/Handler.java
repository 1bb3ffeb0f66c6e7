package lb.core.loop;

import java.nio.channels.SelectionKey;

/**
 * What a selection key's attachment does when its channel is ready. Runs on the loop thread;
 * must not throw (catch, count, close).
 */
public interface Handler {
    void onReady(SelectionKey key);
}
