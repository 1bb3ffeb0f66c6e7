package lb.core.engine;

import java.nio.channels.SocketChannel;

/**
 * A client accepted on one loop and handed to another, as that loop's command. Runs on the
 * receiving loop; if that loop died first, the client is refused instead: closed, and the
 * connection slots its acceptor took given back.
 */
final class Adoption implements Runnable {
    private final EventLoop loop;
    private final SocketChannel client;
    private final LiveFrontend frontend;

    Adoption(EventLoop loop, SocketChannel client, LiveFrontend frontend) {
        this.loop = loop;
        this.client = client;
        this.frontend = frontend;
    }

    @Override
    public void run() {
        loop.adopt(client, frontend);
    }

    void refuse() {
        EventLoop.closeNow(client);
        frontend.limit().release();
        loop.group.limit().release();
        loop.unassign();
    }
}
