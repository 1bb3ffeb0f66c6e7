package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.config.Network;
import lb.core.config.SourceLimits;
import lb.core.model.KeyExtractor;
import lb.core.model.RejectReason;
import lb.core.model.Termination;
import lb.core.model.Verdict;
import lb.core.stats.Terminations;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.LineKey;
import lb.core.testing.ManualClock;

/**
 * Per-source limits on real sockets, with loopback addresses standing for client hosts:
 * 127.0.0.2 (and its /24) floods, 127.1.0.1 is someone else.
 */
class SourceLimitsTest {
    private static final Duration ANSWER_WITHIN = Duration.ofMillis(100);

    @Test
    void oneSourceHoldingAThousandSilentConnectionsCannotDelayAnotherClient() throws Exception {
        try (FakeServer tag = FakeServer.start("broker", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(null, b -> b.server("broker", tag.address()), f -> f
                     .keyExtractor(new LineKey()).maxConnections(300)
                     .sourceLimits(SourceLimits.perSource().maxConnections(50)))) {
            List<Socket> silent = flood(Balancers.address(lb), 1_000);
            try {
                Await.until("the flood counted", Duration.ofSeconds(10), () ->
                        ends(lb).count(Termination.SOURCE_LIMITED) >= 1_000 - 50 - 2 * 64);
                long ms = answerMillis(Balancers.address(lb), "127.1.0.1");
                System.out.println("per-source limit 50: another client's answer after " + ms + " ms, with "
                        + lb.frontend("f").connections() + " slots of 300 in use and "
                        + ends(lb).count(Termination.SOURCE_LIMITED) + " silent connections refused");
                assertTrue(ms < ANSWER_WITHIN.toMillis(), ms + " ms");
                Await.until("every refusal counted", Duration.ofSeconds(10), () ->
                        ends(lb).count(Termination.SOURCE_LIMITED) == 1_000 - 50);
                assertEquals(1_000 - 50, ends(lb).rejected(RejectReason.RULE));
                Await.equal(50, Duration.ofSeconds(5), () -> lb.frontend("f").connections()); // the other client left
            } finally {
                closeAll(silent);
            }
        }
    }

    @Test
    void withoutALimitTheSameFloodTakesEverySlot() throws Exception {
        try (FakeServer tag = FakeServer.start("broker", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(null, b -> b.server("broker", tag.address()), f -> f
                     .keyExtractor(new LineKey()).maxConnections(300))) {
            List<Socket> silent = flood(Balancers.address(lb), 400);
            try {
                Await.equal(300, Duration.ofSeconds(10), () -> lb.frontend("f").connections());
                try (Socket other = Clients.connectFrom("127.1.0.1", Balancers.address(lb))) {
                    other.setSoTimeout(500);
                    other.getOutputStream().write(Clients.ascii("other\n"));
                    assertThrows(SocketTimeoutException.class, () -> other.getInputStream().read(),
                            "it waits in the kernel's backlog until a silent one times out");
                }
            } finally {
                closeAll(silent);
            }
        }
    }

    @Test
    void refusalsPastTheRateAreCountedAndAnsweredWhenTheFirstBytesSayHow() throws Exception {
        ManualClock clock = new ManualClock();
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, g -> g.clock(clock), b -> b.server("echo", echo.address()), f -> f
                     .keyExtractor(new AnsweringLineKey())
                     .sourceLimits(SourceLimits.perSource().maxConnectionRate(5, Duration.ofSeconds(10))))) {
            InetSocketAddress address = Balancers.address(lb);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                try (Socket c = Clients.connectFrom("127.0.0.3", address)) {
                    c.getOutputStream().write(Clients.ascii("client-" + i + "\n"));
                    answers.add(Clients.readLine(c.getInputStream()));
                }
            }
            assertEquals(List.of("client-0", "client-1", "client-2", "client-3", "client-4"), answers.subList(0, 5),
                    "echoed: served");
            for (String refused : answers.subList(5, 12)) {
                assertEquals("refused SOURCE_RATE_LIMITED", refused);
            }
            try (Socket other = Clients.connectFrom("127.1.0.1", address)) {
                other.getOutputStream().write(Clients.ascii("other\n"));
                assertEquals("other", Clients.readLine(other.getInputStream()), "another source is not limited");
            }
            Await.until("every refusal counted", Duration.ofSeconds(5), () ->
                    ends(lb).count(Termination.SOURCE_RATE_LIMITED) == 7);
            clock.advance(Duration.ofSeconds(20)); // two periods: the rate is forgotten
            try (Socket again = Clients.connectFrom("127.0.0.3", address)) {
                again.getOutputStream().write(Clients.ascii("later\n"));
                assertEquals("later", Clients.readLine(again.getInputStream()));
            }
            assertEquals(7, ends(lb).rejected(RejectReason.RULE));
        }
    }

    @Test
    void clientsBehindATrustedBalancerAreCountedByTheirRealAddress() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f
                     .keyExtractor(new AnsweringLineKey())
                     .acceptProxy(List.of(Network.parse("127.0.0.1/32")))
                     .sourceLimits(SourceLimits.perSource().maxConnections(2)))) {
            InetSocketAddress address = Balancers.address(lb);
            List<Socket> served = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    served.add(viaBalancer(address, "10.9.9." + (10 + i), "held-" + i));
                    assertEquals("held-" + i, Clients.readLine(served.get(i).getInputStream()));
                }
                try (Socket third = viaBalancer(address, "10.9.9.12", "third")) {
                    assertEquals("refused SOURCE_LIMITED", Clients.readLine(third.getInputStream()),
                            "answered from the bytes that came with the header");
                }
                try (Socket elsewhere = viaBalancer(address, "10.9.8.1", "elsewhere")) {
                    assertEquals("elsewhere", Clients.readLine(elsewhere.getInputStream()), "another /24");
                }
                served.remove(0).close();
                Await.until("the slot given back", Duration.ofSeconds(5),
                        () -> log.count(Termination.CLIENT_CLOSED) >= 2);
                try (Socket fourth = viaBalancer(address, "10.9.9.13", "fourth")) {
                    assertEquals("fourth", Clients.readLine(fourth.getInputStream()));
                }
            } finally {
                closeAll(served);
            }
            assertEquals(1, ends(lb).count(Termination.SOURCE_LIMITED));
        }
    }

    /** {@code count} connections from 127.0.0.2 that never send a byte; refused ones may be closed already. */
    private static List<Socket> flood(InetSocketAddress address, int count) {
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sockets.add(Clients.connectFrom("127.0.0.2", address));
        }
        return sockets;
    }

    /** Milliseconds from connecting to the server's answer, for a client from {@code local}. */
    private static long answerMillis(InetSocketAddress address, String local) throws IOException {
        long start = System.nanoTime();
        try (Socket other = Clients.connectFrom(local, address)) {
            other.getOutputStream().write(Clients.ascii("other\n"));
            InputStream in = other.getInputStream();
            assertEquals("broker", Clients.readLine(in));
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    private static Socket viaBalancer(InetSocketAddress address, String client, String line) throws IOException {
        Socket s = Clients.connectFrom("127.0.0.1", address);
        s.getOutputStream().write(Clients.ascii("PROXY TCP4 " + client + " 127.0.0.1 40000 1883\r\n" + line + "\n"));
        return s;
    }

    private static Terminations ends(LoadBalancer lb) {
        return lb.stats().frontend("f").traffic().ends();
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** {@link LineKey}, answering a refusal with "refused REASON" once a whole line has come. */
    private static final class AnsweringLineKey implements KeyExtractor {
        private final LineKey lines = new LineKey();

        @Override
        public Verdict inspect(ByteBuffer firstBytes) {
            return lines.inspect(firstBytes);
        }

        @Override
        public ByteBuffer refusalReply(ByteBuffer firstBytes, Termination why) {
            if (lines.inspect(firstBytes).kind() == Verdict.Kind.NEED_MORE) {
                return null;
            }
            return ByteBuffer.wrap(("refused " + why + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
