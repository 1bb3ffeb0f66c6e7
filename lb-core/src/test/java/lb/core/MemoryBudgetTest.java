package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.model.KeyExtractor;
import lb.core.model.Termination;
import lb.core.model.Verdict;
import lb.core.stats.MemoryStats;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.FirstLine;

/**
 * Clients not yet served hold bytes out of the memory budget: past its admission share a new
 * client is refused with MEMORY_EXHAUSTED (and the extractor's reply), clients already served go
 * on, and every byte charged comes back when tunnels end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryBudgetTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Routes by a first line "key\n"; refusals are answered "busy\n". */
    private static final KeyExtractor FIRST_LINE = new KeyExtractor() {
        @Override
        public Verdict inspect(ByteBuffer bytes) {
            return FirstLine.route(bytes);
        }

        @Override
        public ByteBuffer refusalReply(ByteBuffer firstBytes, Termination why) {
            return ByteBuffer.wrap(Clients.ascii(why == Termination.MEMORY_EXHAUSTED ? "busy\n" : "no\n"));
        }
    };

    @Test
    void clientsPastTheAdmissionShareAreRefusedWhileServedOnesGoOn() throws Exception {
        EventLog log = new EventLog();
        // 4 KiB: clients not yet served may hold 3 KiB, twelve first buffers of 256 B
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(log, g -> g.memoryBudget(4096).maxIdleBuffersPerLoop(0),
                     be -> be.server("a", a.address()), f -> f.keyExtractor(FIRST_LINE))) {
            Socket served = Clients.connect(Balancers.address(lb));
            served.setSoTimeout(10_000);
            served.getOutputStream().write(Clients.ascii("served\n"));
            assertEquals("a", Clients.readLine(served.getInputStream()));
            assertEquals("served", Clients.readLine(served.getInputStream()), "the server echoes");

            List<Socket> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) { // each sends a byte and holds 256 B while undecided
                    Socket s = Clients.connect(Balancers.address(lb));
                    s.getOutputStream().write('x');
                    waiting.add(s);
                }
                Await.equal(12L * 256, WAIT, () -> lb.stats().process().memory().usedBytes());

                try (Socket refused = Clients.connect(Balancers.address(lb))) {
                    refused.setSoTimeout(10_000);
                    refused.getOutputStream().write('x');
                    assertEquals("busy", Clients.readLine(refused.getInputStream()));
                }
                Await.equal(1L, WAIT, () -> log.count(Termination.MEMORY_EXHAUSTED));

                served.getOutputStream().write(Clients.ascii("still forwarding\n"));
                assertEquals("still forwarding", Clients.readLine(served.getInputStream()));
            } finally {
                for (Socket s : waiting) {
                    s.close();
                }
            }
            Await.equal(0L, WAIT, () -> lb.stats().process().memory().usedBytes());

            try (Socket again = Clients.connect(Balancers.address(lb))) {
                again.setSoTimeout(10_000);
                again.getOutputStream().write(Clients.ascii("room again\n"));
                assertEquals("a", Clients.readLine(again.getInputStream()));
            }
            served.close();
            MemoryStats m = lb.stats().process().memory();
            assertEquals(4096, m.budgetBytes());
            assertTrue(m.refusals() >= 1);
        }
    }

    @Test
    void everyByteChargedComesBackWhenTunnelsEnd() throws Exception {
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(null, g -> g.maxIdleBuffersPerLoop(0),
                     be -> be.server("a", a.address()), f -> f.keyExtractor(FIRST_LINE))) {
            for (int i = 0; i < 200; i++) {
                try (Socket c = Clients.connect(Balancers.address(lb))) {
                    c.setSoTimeout(10_000);
                    byte[] big = new byte[1000 + i * 50]; // first bytes that outgrow the first buffer
                    java.util.Arrays.fill(big, (byte) 'k');
                    big[big.length - 1] = '\n';
                    c.getOutputStream().write(big);
                    assertEquals("a", Clients.readLine(c.getInputStream()));
                } catch (IOException e) {
                    throw new AssertionError("client " + i, e);
                }
            }
            Await.equal(0, WAIT, () -> lb.stats().process().connections());
            Await.equal(0L, WAIT, () -> lb.stats().process().memory().usedBytes());
        }
    }
}
