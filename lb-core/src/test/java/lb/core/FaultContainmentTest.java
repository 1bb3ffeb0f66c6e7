package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.balance.Balancer;
import lb.core.balance.RoundRobin;
import lb.core.balance.ServerSet;
import lb.core.model.KeyExtractor;
import lb.core.model.Pick;
import lb.core.model.Server;
import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.model.Verdict;
import lb.core.stats.ProcessStats;
import lb.core.stick.LruStickTable;
import lb.core.stick.StickEntry;
import lb.core.stick.StickTable;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.FirstLine;

/**
 * A plug-in that throws costs the one tunnel it was working for, on every path that calls it
 * (a client's arrival, a timer, a retry): that tunnel ends with {@code INTERNAL_ERROR}, the fault
 * is counted, no slot leaks and the next clients are served by the same loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultContainmentTest {
    private static final int NEXT_CLIENTS = 100;
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Throws once, the first time it is armed and asked. */
    private static final class Trap {
        final AtomicBoolean armed = new AtomicBoolean();

        void spring(String where) {
            if (armed.compareAndSet(true, false)) {
                throw new IllegalStateException("plug-in bug in " + where);
            }
        }
    }

    /** Round robin that throws once armed, on any pick or only on a retry's pick. */
    private static final class TrappedBalancer implements Balancer {
        private final Balancer inner = new RoundRobin();
        private final Trap trap;
        private final boolean onlyOnRetry;

        TrappedBalancer(Trap trap, boolean onlyOnRetry) {
            this.trap = trap;
            this.onlyOnRetry = onlyOnRetry;
        }

        @Override
        public void update(ServerSet usable) {
            inner.update(usable);
        }

        @Override
        public Pick pick(long keyHash, Server avoid) {
            if (!onlyOnRetry || avoid != null) {
                trap.spring("Balancer.pick");
            }
            return inner.pick(keyHash, avoid);
        }
    }

    /** A stick table whose lookup throws once armed. */
    private static class TrappedTable implements StickTable {
        private final StickTable inner = new LruStickTable(1000, Duration.ofMinutes(1), 64);
        private final Trap trap;

        TrappedTable(Trap trap) {
            this.trap = trap;
        }

        @Override
        public String lookup(String key, long nowNs) {
            trap.spring("StickTable.lookup");
            return inner.lookup(key, nowNs);
        }

        @Override
        public boolean store(String key, String serverName, long nowNs) {
            return inner.store(key, serverName, nowNs);
        }

        @Override
        public boolean remove(String key) {
            return inner.remove(key);
        }

        @Override
        public void clear() {
            inner.clear();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public int capacity() {
            return inner.capacity();
        }

        @Override
        public int maxKeyLength() {
            return inner.maxKeyLength();
        }

        @Override
        public boolean countsConnections() {
            return false;
        }

        @Override
        public int countConnection(String key, long nowNs) {
            return 0;
        }

        @Override
        public void releaseConnection(String key, long nowNs) {
        }

        @Override
        public int connections(String key, long nowNs) {
            return 0;
        }

        @Override
        public int connectionRate(String key, long nowNs) {
            return 0;
        }

        @Override
        public int removeExpired(long nowNs) {
            return inner.removeExpired(nowNs);
        }

        @Override
        public void forEach(long nowNs, Consumer<? super StickEntry> action) {
            inner.forEach(nowNs, action);
        }
    }

    /** Routes by a first line "key\n"; its refusal reply throws once armed. */
    private static final class TrappedExtractor implements KeyExtractor {
        private final Trap trap;

        TrappedExtractor(Trap trap) {
            this.trap = trap;
        }

        @Override
        public Verdict inspect(ByteBuffer bytes) {
            return FirstLine.route(bytes);
        }

        @Override
        public ByteBuffer refusalReply(ByteBuffer firstBytes, Termination why) {
            trap.spring("KeyExtractor.refusalReply");
            return ByteBuffer.wrap(Clients.ascii("refused\n"));
        }
    }

    // ---- Balancer.pick ------------------------------------------------------------------------

    @Test
    void aThrowingPickOnArrivalCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG)) {
            contained(trap, be -> be.server("a", a.address()).balancer(() -> new TrappedBalancer(trap, false)),
                    f -> { }, lb -> trap.armed.set(true), this::connectAndExpectClose, lb -> { });
        }
    }

    @Test
    void aThrowingPickOnARetryCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        InetSocketAddress closed = closedPort();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG)) {
            contained(trap, be -> be.server("a", a.address()).server("other", closed)
                            .balancer(() -> new TrappedBalancer(trap, true)).retries(1).redispatch(true),
                    f -> { }, lb -> onlyOther(lb, trap), this::connectAndExpectClose, FaultContainmentTest::onlyA);
        }
    }

    @Test
    void aThrowingPickAfterAConnectTimeoutCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             Blackhole hole = Blackhole.open()) {
            contained(trap, be -> be.server("a", a.address()).server("other", hole.address())
                            .balancer(() -> new TrappedBalancer(trap, true)).retries(1).redispatch(true)
                            .connectTimeout(Duration.ofMillis(200)),
                    f -> { }, lb -> onlyOther(lb, trap), this::connectAndExpectClose, FaultContainmentTest::onlyA);
        }
    }

    // ---- StickTable.lookup --------------------------------------------------------------------

    @Test
    void aThrowingStickTableLookupOnArrivalCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG)) {
            contained(trap, be -> be.server("a", a.address()).stickTable(new TrappedTable(trap)),
                    f -> f.keyExtractor(new TrappedExtractor(new Trap())), lb -> trap.armed.set(true),
                    this::sendKeyAndExpectClose, lb -> { });
        }
    }

    @Test
    void aThrowingStickTableLookupOnARetryAfterAConnectTimeoutCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        Trap never = new Trap();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             Blackhole hole = Blackhole.open()) {
            TrappedTable table = new TrappedTable(never) {
                private int lookups;

                @Override
                public String lookup(String key, long nowNs) {
                    if (++lookups == 2) { // the victim's second lookup: its retry, after the connect timed out
                        trap.spring("StickTable.lookup");
                    }
                    return super.lookup(key, nowNs);
                }
            };
            contained(trap, be -> be.server("a", a.address()).server("other", hole.address()).stickTable(table)
                            .retries(1).redispatch(true).connectTimeout(Duration.ofMillis(200)),
                    f -> f.keyExtractor(new TrappedExtractor(never)), lb -> onlyOther(lb, trap),
                    this::sendKeyAndExpectClose, FaultContainmentTest::onlyA);
        }
    }

    // ---- KeyExtractor.refusalReply ------------------------------------------------------------

    @Test
    void aThrowingRefusalReplyOnArrivalCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG)) {
            contained(trap, be -> be.server("a", a.address()), f -> f.keyExtractor(new TrappedExtractor(trap)),
                    lb -> {
                        trap.armed.set(true);
                        lb.backend("b").server("a").state(ServerState.MAINTENANCE); // refused at once
                    },
                    this::sendKeyAndExpectClose, lb -> lb.backend("b").server("a").state(ServerState.READY));
        }
    }

    @Test
    void aThrowingRefusalReplyOnAQueueTimeoutCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG)) {
            contained(trap, be -> be.server("a", a.address(), o -> o.maxConnections(1))
                            .queueTimeout(Duration.ofMillis(200)),
                    f -> f.keyExtractor(new TrappedExtractor(trap)), lb -> trap.armed.set(true),
                    address -> {
                        try (Socket holder = Clients.connect(address)) { // takes the only slot
                            holder.getOutputStream().write(Clients.ascii("holder\n"));
                            assertEquals("a", Clients.readLine(holder.getInputStream()));
                            sendKeyAndExpectClose(address); // queued, then times out
                        }
                    }, lb -> { });
        }
    }

    @Test
    void aThrowingRefusalReplyAfterTheLastRetryFailedCostsOneTunnel() throws Exception {
        Trap trap = new Trap();
        InetSocketAddress closed = closedPort();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG)) {
            contained(trap, be -> be.server("a", a.address()).server("other", closed).retries(1),
                    f -> f.keyExtractor(new TrappedExtractor(trap)), lb -> onlyOther(lb, trap),
                    this::sendKeyAndExpectClose, FaultContainmentTest::onlyA);
        }
    }

    // ---- the harness ----------------------------------------------------------------------------

    private interface Victim {
        void hit(InetSocketAddress address) throws Exception;
    }

    /** Arms the trap with only the failing server "other" usable, so the victim must retry. */
    private static void onlyOther(LoadBalancer lb, Trap trap) {
        lb.backend("b").server("a").state(ServerState.MAINTENANCE);
        trap.armed.set(true);
    }

    private static void onlyA(LoadBalancer lb) {
        lb.backend("b").server("a").state(ServerState.READY);
        lb.backend("b").server("other").state(ServerState.MAINTENANCE);
    }

    /**
     * Starts a balancer, arms the trap, lets {@code victim} make the one client that springs it,
     * then checks: exactly one INTERNAL_ERROR, the fault counted, both loops alive, the next
     * clients served, and every slot back.
     */
    private void contained(Trap trap, Consumer<BackendBuilder> backend, Consumer<FrontendBuilder> frontend,
                           Consumer<LoadBalancer> arm, Victim victim, Consumer<LoadBalancer> disarm) throws Exception {
        EventLog log = new EventLog();
        try (LoadBalancer lb = Balancers.start(log, backend, frontend)) {
            InetSocketAddress address = Balancers.address(lb);
            arm.accept(lb);
            victim.hit(address);
            assertTrue(!trap.armed.get(), "the trap was sprung");
            Await.equal(1L, WAIT, () -> log.count(Termination.INTERNAL_ERROR));
            disarm.accept(lb);
            boolean keyed = lb.frontend("f").policy().keyExtractor() != null;
            for (int i = 0; i < NEXT_CLIENTS; i++) {
                try (Socket c = Clients.connect(address)) {
                    if (keyed) {
                        c.getOutputStream().write(Clients.ascii("client-" + i + "\n"));
                    }
                    assertEquals("a", Clients.readLine(c.getInputStream()), "client " + i + " served");
                }
            }
            Await.equal(0, WAIT, () -> lb.stats().process().connections());
            ProcessStats p = lb.stats().process();
            assertEquals(1L, log.count(Termination.INTERNAL_ERROR));
            assertTrue(p.faults() >= 1, "the fault is counted");
            assertEquals(p.eventLoops(), p.liveLoops(), "no loop died");
            for (Server s : lb.backend("b").servers()) {
                Await.equal(0, WAIT, s::connections);
            }
            assertEquals(0, EngineAccess.live(lb.backend("b")).queue().size());
        }
    }

    private void connectAndExpectClose(InetSocketAddress address) throws IOException {
        try (Socket c = Clients.connect(address)) {
            c.setSoTimeout(10_000);
            expectEnd(c.getInputStream());
        }
    }

    private void sendKeyAndExpectClose(InetSocketAddress address) throws IOException {
        try (Socket c = Clients.connect(address)) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(Clients.ascii("victim\n"));
            expectEnd(c.getInputStream());
        }
    }

    /** The tunnel was closed without reaching a server (no tag line). */
    private static void expectEnd(InputStream in) throws IOException {
        try {
            int b = in.read();
            assertEquals(-1, b, "closed without a reply");
        } catch (java.net.SocketException reset) {
            // a reset is an end too
        }
    }

    private static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    /**
     * A listening socket whose accept queue is full and never drained: the kernel drops further
     * SYNs, so a connect to it times out (on loopback, without leaving the machine).
     */
    private static final class Blackhole implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> fillers = new ArrayList<>();

        private Blackhole(ServerSocket listener) {
            this.listener = listener;
        }

        static Blackhole open() throws IOException {
            Blackhole h = new Blackhole(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                try {
                    s.connect(h.address(), 200);
                    h.fillers.add(s);
                } catch (IOException full) {
                    s.close();
                    return h;
                }
            }
            return h;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            listener.close();
        }
    }
}
