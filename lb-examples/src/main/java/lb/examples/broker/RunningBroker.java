package lb.examples.broker;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One life of a {@link FakeBroker}, from start to stop or death: its listener, loops,
 * subscriptions and live client ids. A restart builds a new one, so a restarted broker has
 * forgotten every subscription, as a broker without persistence does.
 *
 * <p>Created and stopped by the owner's lifecycle methods (serialised there); the maps are
 * shared by the loops and safe for them.
 */
final class RunningBroker {
    private static final int BACKLOG = 4096;
    /** A restart re-binds a port that a client socket may briefly hold; retry for this long. */
    private static final long REBIND_PATIENCE_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long STOP_TIMEOUT_SECONDS = 5;

    final FakeBroker owner;
    final BrokerCounters counters;
    final SubscriptionIndex subscriptions = new SubscriptionIndex();
    final ConcurrentHashMap<String, BrokerConnection> connectionsByClientId = new ConcurrentHashMap<>();
    final BrokerLoop[] loops;
    final InetSocketAddress address;

    RunningBroker(FakeBroker owner, BrokerCounters counters, InetSocketAddress bindAddress, int loopCount) throws IOException {
        this.owner = owner;
        this.counters = counters;
        ServerSocketChannel listener = bind(bindAddress);
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.loops = new BrokerLoop[loopCount];
        try {
            for (int i = 0; i < loopCount; i++) {
                loops[i] = new BrokerLoop(i, this, "fake-broker-" + owner.name() + "-" + i);
            }
            loops[0].listenOn(listener);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        for (BrokerLoop loop : loops) {
            loop.start();
        }
    }

    /** Ends every loop: listener and connections closed, with resets when {@code abort}. */
    void stop(boolean abort) throws InterruptedException {
        // The accepting loop ends first: once it is gone no loop can be handed a new socket
        // after its own shutdown command, which would leave that socket open.
        loops[0].shutdown(abort);
        await(loops[0]);
        for (int i = 1; i < loops.length; i++) {
            loops[i].shutdown(abort);
        }
        for (int i = 1; i < loops.length; i++) {
            await(loops[i]);
        }
    }

    private void await(BrokerLoop loop) throws InterruptedException {
        if (!loop.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fake broker " + owner.name() + " did not stop in time");
        }
    }

    /** Re-applies the owner's stall setting on every loop; returns once all have (or after a timeout). */
    void applyStall() throws InterruptedException {
        CountDownLatch applied = new CountDownLatch(loops.length);
        for (BrokerLoop loop : loops) {
            if (loop.isLoopThread()) {
                loop.applyStall();
                applied.countDown();
            } else {
                loop.execute(() -> {
                    loop.applyStall();
                    applied.countDown();
                });
            }
        }
        applied.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static ServerSocketChannel bind(InetSocketAddress bindAddress) throws IOException {
        long deadlineNs = System.nanoTime() + REBIND_PATIENCE_NS;
        while (true) {
            ServerSocketChannel listener = ServerSocketChannel.open();
            try {
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                listener.bind(bindAddress, BACKLOG);
                return listener;
            } catch (BindException e) {
                listener.close();
                if (bindAddress.getPort() == 0 || System.nanoTime() > deadlineNs) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw e;
            }
        }
    }
}
