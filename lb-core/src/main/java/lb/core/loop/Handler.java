package lb.core.loop;

import java.nio.channels.SelectionKey;

/** What a selection key's attachment does when its channel is ready. Runs on the loop thread. */
interface Handler {
    void onReady(SelectionKey key);
}
