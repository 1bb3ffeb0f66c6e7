package lb.core.engine;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

import lb.core.limit.ConnectionLimit;

/**
 * One listening socket registered on one loop. Owned by that loop, but for {@link #unpark()}.
 *
 * <p>Before each accept it takes a slot from the global and the frontend limit; when either is
 * full it drops {@code OP_ACCEPT} and parks on that limit, so waiting clients stay in the
 * kernel backlog: no accept-then-close churn and no busy loop. A failed accept (out of file
 * descriptors, say) also pauses accepting, for {@link #ERROR_PAUSE_NS}, for the same reason.
 */
final class Listener extends TimerWheel.Timeout implements Handler, ConnectionLimit.Parked {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    private static final int ACCEPT_BATCH = 64;
    private static final long ERROR_PAUSE_NS = 100_000_000L;

    private final EventLoop loop;
    private final LiveFrontend frontend;
    private final ServerSocketChannel channel;
    /** The address as configured (port 0 stays 0), to find the listener on reconfiguration. */
    private final java.net.InetSocketAddress configured;
    private final AtomicBoolean parked = new AtomicBoolean();
    private final Runnable resume = this::resume;
    private SelectionKey key;

    Listener(EventLoop loop, LiveFrontend frontend, ServerSocketChannel channel, java.net.InetSocketAddress configured) {
        this.loop = loop;
        this.frontend = frontend;
        this.channel = channel;
        this.configured = configured;
    }

    EventLoop loop() {
        return loop;
    }

    LiveFrontend frontend() {
        return frontend;
    }

    java.net.InetSocketAddress configuredAddress() {
        return configured;
    }

    /** The same listening socket, accepted by {@code heir} instead (this listener's loop died). */
    Listener movedTo(EventLoop heir) {
        return new Listener(heir, frontend, channel, configured);
    }

    /** Registers for accepts; on the loop thread once the loop runs. */
    void register() {
        try {
            key = channel.register(loop.selector, SelectionKey.OP_ACCEPT, this);
            loop.addListener(this);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "listener_register_failed frontend=" + frontend.name(), e);
            close();
        }
    }

    @Override
    public void onReady(SelectionKey k) {
        ConnectionLimit global = loop.group.limit();
        ConnectionLimit local = frontend.limit();
        for (int i = 0; i < ACCEPT_BATCH; i++) {
            if (!global.tryAcquire()) {
                park(global);
                return;
            }
            if (!local.tryAcquire()) {
                global.release();
                park(local);
                return;
            }
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (IOException e) {
                local.release();
                global.release();
                loop.group.countAcceptError();
                LOG.log(System.Logger.Level.WARNING, () -> "accept_failed frontend=" + frontend.name()
                        + " reason=\"" + e.getMessage() + "\"; pausing accepts for 100 ms");
                pauseAfterError();
                return;
            }
            if (client == null) {
                local.release();
                global.release();
                return;
            }
            global.held();
            local.held();
            loop.group.dispatch(loop, client, frontend);
        }
    }

    private void park(ConnectionLimit limit) {
        key.interestOps(0);
        parked.set(true);
        limit.park(this);
    }

    /** There is room again: resume accepting on the loop. Callable from any thread. */
    @Override
    public void unpark() {
        if (parked.compareAndSet(true, false)) {
            loop.execute(resume);
        }
    }

    private void resume() {
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void pauseAfterError() {
        key.interestOps(0);
        loop.timers.schedule(this, loop.nowNs() + ERROR_PAUSE_NS);
    }

    @Override
    protected void onTimeout(long nowNs) {
        resume();
    }

    void close() {
        loop.timers.cancel(this);
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "listener_close_failed frontend=" + frontend.name(), e);
        }
    }
}
