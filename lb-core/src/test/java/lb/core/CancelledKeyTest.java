package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import lb.core.engine.EventLoop;
import lb.core.engine.Handler;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * Two keys ready in one select, where the work of the first cancels the second (a tunnel whose
 * client end closes it while its server end is ready too): the second is skipped, not handed
 * to its handler as a cancelled key that throws, which the loop would count as a fault.
 */
class CancelledKeyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aKeyCancelledByAnEarlierKeyInTheSameSelectIsSkipped() throws Exception {
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = Balancers.start(new EventLog(), b -> b.server("a", echo.address()))) {
            EventLoop loop = EngineAccess.loops(lb).loops().get(0);
            long faultsBefore = lb.stats().process().faults();
            AtomicInteger handled = new AtomicInteger();
            List<Pipe> pipes = List.of(Pipe.open(), Pipe.open());
            List<SelectionKey> keys = new ArrayList<>();
            CompletableFuture<Void> registered = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    for (Pipe p : pipes) {
                        p.source().configureBlocking(false);
                        // each handler cancels every other key, as closing a tunnel cancels its other end
                        keys.add(p.source().register(loop.selector(), SelectionKey.OP_READ, (Handler) key -> {
                            key.readyOps(); // what a tunnel reads first: throws on a cancelled key
                            handled.incrementAndGet();
                            for (SelectionKey k : keys) {
                                k.cancel();
                            }
                        }));
                    }
                    // both readable before the next select
                    for (Pipe p : pipes) {
                        p.sink().write(ByteBuffer.wrap(new byte[] {1}));
                    }
                    registered.complete(null);
                } catch (Exception e) {
                    registered.completeExceptionally(e);
                }
            });
            registered.get(5, TimeUnit.SECONDS);
            Await.equal(1, WAIT, handled::get);
            Thread.sleep(200); // a second handler call, if any, would come in the same select
            assertEquals(1, handled.get(), "only the first key's handler ran");
            assertEquals(faultsBefore, lb.stats().process().faults(), "no fault counted");
            for (Pipe p : pipes) {
                p.sink().close();
                p.source().close();
            }
        }
    }
}
