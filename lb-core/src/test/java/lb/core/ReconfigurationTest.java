package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/** Configuration changes while tunnels stream: nothing established is disturbed. */
class ReconfigurationTest {
    private static final int TUNNELS = 500;
    private static final int CHANGES = 50;
    private static final String[] NAMES = {"a", "b", "c"};

    @Test
    void fiftyChangesUnder500StreamingTunnelsLoseNoByteAndNewClientsFollowAtOnce() throws Exception {
        EventLog log = new EventLog();
        List<FakeServer> servers = new ArrayList<>();
        for (String n : NAMES) {
            servers.add(FakeServer.start(n, FakeServer.Mode.TAG));
        }
        FakeServer extra = FakeServer.start("d", FakeServer.Mode.TAG);
        InetSocketAddress[] listen = new InetSocketAddress[1];
        LoadBalancer lb = config(-1, servers, extra, null, log).build().start();
        listen[0] = lb.frontend("f").boundAddresses().get(0);
        List<Socket> clients = new ArrayList<>();
        ExecutorService streamers = Executors.newFixedThreadPool(4);
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicLong verified = new AtomicLong();
        try {
            for (int i = 0; i < TUNNELS; i++) {
                Socket c = Clients.connect(listen[0]);
                Clients.readLine(c.getInputStream());
                clients.add(c);
            }
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Socket> mine = clients.subList(t * TUNNELS / 4, (t + 1) * TUNNELS / 4);
                int seed = t;
                runs.add(streamers.submit(() -> {
                    Random random = new Random(seed);
                    byte[] bytes = new byte[256];
                    while (streaming.get()) {
                        for (Socket c : mine) {
                            random.nextBytes(bytes);
                            OutputStream out = c.getOutputStream();
                            InputStream in = c.getInputStream();
                            out.write(bytes);
                            assertArrayEquals(bytes, Clients.readExactly(in, bytes.length));
                            verified.addAndGet(bytes.length);
                        }
                    }
                    return null;
                }));
            }
            for (int k = 0; k < CHANGES; k++) {
                List<String> changes = lb.apply(config(k, servers, extra, listen[0], log)).lines();
                assertTrue(changes.stream().noneMatch(c -> c.startsWith("not applied")), changes.toString());
                try (Socket probe = Clients.connect(listen[0])) {
                    assertEquals(NAMES[k % 3], Clients.readLine(probe.getInputStream()),
                            "change " + k + " applies to the next client: " + changes);
                }
                long streamed = verified.get();
                Await.until("the tunnels stream after change " + k, Duration.ofSeconds(10),
                        () -> verified.get() > streamed);
            }
            streaming.set(false);
            for (Future<?> f : runs) {
                f.get(30, TimeUnit.SECONDS);
            }
            System.out.printf("%d bytes echoed intact through %d changes%n", verified.get(), CHANGES);
            assertTrue(verified.get() > TUNNELS * 256L, "every tunnel streamed");
            for (Socket c : clients) {
                c.getOutputStream().write('!');
                assertEquals('!', c.getInputStream().read(), "still open after all changes");
            }
            for (TunnelEvent e : log.take(CHANGES, Duration.ofSeconds(5))) {
                assertEquals(Termination.CLIENT_CLOSED, e.termination(), "only the probes closed");
            }
            assertEquals(0, log.size());
            assertNull(lb.backend("b").server("d"), "the extra server was removed in the end");
        } finally {
            streaming.set(false);
            streamers.shutdownNow();
            for (Socket c : clients) {
                c.close();
            }
            lb.close();
            extra.close();
            servers.forEach(FakeServer::close);
        }
    }

    /**
     * Change {@code k} favours server k % 3 (the others get weight 0), varies timeouts and
     * limits, and adds server d on even changes and drops it on odd ones.
     */
    private static LoadBalancerBuilder config(int k, List<FakeServer> servers, FakeServer extra,
                                              InetSocketAddress listen, EventLog log) {
        LoadBalancerBuilder b = LoadBalancer.builder().eventLoops(2);
        if (k < 0) {
            b.listener(log);
        }
        return b
                .backend("b", be -> {
                    for (int i = 0; i < NAMES.length; i++) {
                        int weight = k < 0 || k % 3 == i ? 1 : 0;
                        be.server(NAMES[i], servers.get(i).address(), o -> o.weight(weight).maxConnections(10_000 + k));
                    }
                    if (k >= 0 && k % 2 == 0) {
                        be.server("d", extra.address(), o -> o.weight(0));
                    }
                    be.serverTimeout(Duration.ofSeconds(60 + k)).maxQueue(100 + k).drainOnRemove(Duration.ofMillis(100));
                })
                .frontend("f", f -> f.listen(listen != null ? listen : new InetSocketAddress("127.0.0.1", 0))
                        .clientTimeout(Duration.ofSeconds(60 + k)).maxConnections(5_000 + k).backend("b"));
    }

    @Test
    void aServerAddedAtRunTimeTakesTunnelsAndARemovedOneDrainsThenCloses() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             FakeServer b = FakeServer.start("b", FakeServer.Mode.TAG);
             LoadBalancer lb = LoadBalancer.builder().eventLoops(1).listener(log)
                     .backend("be", be -> be.server("a", a.address()))
                     .frontend("f", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("be"))
                     .build().start()) {
            InetSocketAddress at = lb.frontend("f").boundAddresses().get(0);
            Socket onA = Clients.connect(at);
            assertEquals("a", Clients.readLine(onA.getInputStream()));
            lb.backend("be").addServer("b", b.address(), o -> { });
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 2; i++) {
                try (Socket c = Clients.connect(at)) {
                    seen.add(Clients.readLine(c.getInputStream()));
                }
                assertEquals(Termination.CLIENT_CLOSED, log.next().termination());
            }
            assertTrue(seen.contains("b"), "round robin reaches the new server: " + seen);

            long start = System.nanoTime();
            var removed = lb.backend("be").removeServer("a", Duration.ofMillis(300));
            for (int i = 0; i < 3; i++) {
                try (Socket c = Clients.connect(at)) {
                    assertEquals("b", Clients.readLine(c.getInputStream()), "a draining server takes nothing new");
                }
                log.next();
            }
            onA.getOutputStream().write('x');
            assertEquals('x', onA.getInputStream().read(), "its tunnels go on while it drains");
            TunnelEvent closed = log.next();
            assertEquals(Termination.SERVER_REMOVED, closed.termination());
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
            removed.get(5, TimeUnit.SECONDS);
            assertNull(lb.backend("be").server("a"));
            Await.equal(1, Duration.ofSeconds(2), () -> lb.backend("be").servers().size());
            onA.close();
        }
    }
}
