package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import lb.core.config.Pacing;
import lb.core.model.KeyExtractor;
import lb.core.model.PacketFraming;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.model.Verdict;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.ManualClock;
import lb.core.testing.RecordingServer;

/**
 * Tunnels whose packets frame end between two packets when the balancer ends them: each
 * direction forwards the rest of its current packet, then the framing's farewell, then its end.
 * The framing here is a toy protocol, so this is the engine's behaviour alone: a packet is a
 * non-zero type byte, a length byte, and that many bytes.
 */
class CleanEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] FAREWELL_TO_SERVER = {0x7F, 0};
    private static final byte[] FAREWELL_TO_CLIENT = {0x7E, 0};

    @Test
    void aTunnelTheBalancerEndsGetsTheRestOfEachPacketThenAFarewellEachWay() throws Exception {
        EventLog log = new EventLog();
        byte[] p1 = packet(1, 10);
        byte[] p2 = packet(2, 40);
        byte[] q1 = packet(3, 20);
        byte[] q2 = packet(4, 60);
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = start(log, server, null);
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.setSoTimeout((int) WAIT.toMillis());
            client.getOutputStream().write(concat(p1, Arrays.copyOf(p2, 15)));
            RecordingServer.Connection at = server.connection(0, WAIT);
            at.awaitReceived(p1.length + 15, WAIT);
            at.send(concat(q1, Arrays.copyOf(q2, 7)));
            byte[] seen = Clients.readExactly(client.getInputStream(), q1.length + 7);
            assertArrayEquals(concat(q1, Arrays.copyOf(q2, 7)), seen);

            lb.backend("b").removeServer("s", Duration.ZERO);
            Thread.sleep(100); // the end has begun; both directions wait for their packet's rest
            assertEquals(p1.length + 15, at.received().length, "nothing of ours in the middle of a packet");

            client.getOutputStream().write(concat(Arrays.copyOfRange(p2, 15, p2.length), packet(5, 3)));
            at.send(concat(Arrays.copyOfRange(q2, 7, q2.length), packet(6, 3)));

            byte[] toClient = readToEnd(client.getInputStream());
            assertArrayEquals(concat(Arrays.copyOfRange(q2, 7, q2.length), FAREWELL_TO_CLIENT), toClient,
                    "the rest of the packet, the farewell, then the end: the packet after it never came");
            client.close();
            Await.until("the server to see the end", WAIT, at::ended);
            assertArrayEquals(concat(p1, p2, FAREWELL_TO_SERVER), at.received());
            TunnelEvent event = log.next(WAIT);
            assertEquals(Termination.SERVER_REMOVED, event.termination());
        }
    }

    @Test
    void bytesThatDoNotFrameEndTheTunnelAsFramingInvalidAndAreNotForwarded() throws Exception {
        EventLog log = new EventLog();
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = start(log, server, null);
             Socket client = Clients.connect(Balancers.address(lb))) {
            byte[] first = packet(1, 5);
            client.getOutputStream().write(first);
            RecordingServer.Connection at = server.connection(0, WAIT);
            at.awaitReceived(first.length, WAIT);
            client.getOutputStream().write(new byte[] {0, 1, 2});
            TunnelEvent event = log.next(WAIT);
            assertEquals(Termination.FRAMING_INVALID, event.termination());
            assertTrue(event.detail().startsWith("client sent bytes that are no packet: type 0"), event.detail());
            Await.until("the server to see the end", WAIT, at::ended);
            assertArrayEquals(first, at.received());
            assertEquals(1, lb.stats().frontend("f").traffic().ends().count(Termination.FRAMING_INVALID));
        }
    }

    @Test
    void aPeerThatNeverFinishesItsPacketIsCutOnceTheEndingBoundHasPassed() throws Exception {
        EventLog log = new EventLog();
        ManualClock clock = new ManualClock();
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = start(log, server, clock);
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.getOutputStream().write(Arrays.copyOf(packet(1, 50), 20));
            RecordingServer.Connection at = server.connection(0, WAIT);
            at.awaitReceived(20, WAIT);
            lb.backend("b").removeServer("s", Duration.ZERO);
            Thread.sleep(200);
            assertEquals(0, log.size(), "still waiting for the packet's rest");
            clock.advance(Duration.ofSeconds(3));
            TunnelEvent event = log.next(WAIT);
            assertEquals(Termination.SERVER_REMOVED, event.termination());
            assertTrue(event.detail().contains("peers still open"), event.detail());
            Await.until("the server to see the end", WAIT, at::ended);
            assertEquals(20, at.received().length, "cut: no farewell in the middle of a packet");
        }
    }

    @Test
    void aPacedRemovalEndsTunnelsNoFasterThanThePace() throws Exception {
        int tunnels = 24;
        int perSecond = 40;
        EventLog log = new EventLog();
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = start(log, server, null)) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < tunnels; i++) {
                Socket c = Clients.connect(Balancers.address(lb));
                c.getOutputStream().write(packet(1, 4));
                clients.add(c);
                closeOnEnd(c);
            }
            Await.equal(tunnels, WAIT, () -> lb.backend("b").server("s").connections());
            long startEpochMs = System.currentTimeMillis();
            long start = System.nanoTime();
            lb.backend("b").removeServer("s", Pacing.of(perSecond, Duration.ofSeconds(20))).get();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            List<TunnelEvent> events = log.take(tunnels, WAIT);
            long[] ends = events.stream().mapToLong(e -> e.acceptedAtEpochMillis() + e.totalNs() / 1_000_000).sorted().toArray();
            for (int k = 1; k < ends.length; k++) {
                // the k-th end comes no sooner than k / pace after the removal began (a tick of
                // slack); counted from the start, not from the first end, which a busy machine may delay
                assertTrue(ends[k] - startEpochMs >= k * 1000L / perSecond - 20,
                        "end " + k + " after " + (ends[k] - startEpochMs) + " ms");
            }
            assertTrue(tookMs >= (tunnels - 1) * 1000L / perSecond - 20, "paced: " + tookMs + " ms");
            assertTrue(tookMs < 5_000, "and not stalled: " + tookMs + " ms");
            for (TunnelEvent e : events) {
                assertEquals(Termination.SERVER_REMOVED, e.termination());
            }
            for (Socket c : clients) {
                c.close();
            }
        }
    }

    /**
     * Packets in random chunks, the end begun after a random chunk (the rest sent once the
     * client has its farewell): the server gets a prefix of the stream that ends on a packet
     * boundary, byte for byte, then the farewell; the prefix holds every packet the server had
     * whole before the end began, and at most the one the balancer had started.
     */
    @Property(tries = 12)
    void aTunnelEndedAtAnyMomentEndsOnAPacketBoundaryWithItsBytesUnchanged(
            @ForAll @Size(min = 2, max = 12) List<@IntRange(min = 0, max = 255) Integer> lengths,
            @ForAll @IntRange(min = 1, max = 97) int chunk,
            @ForAll @IntRange(min = 0, max = 100) int endAtPercent) throws Exception {
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < lengths.size(); i++) {
            packets.add(packet(1 + i, lengths.get(i)));
        }
        byte[] stream = concat(packets.toArray(new byte[0][]));
        int endAt = Math.max(1, (int) ((long) stream.length * endAtPercent / 100));
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = start(null, server, null);
             Socket client = Clients.connect(Balancers.address(lb))) {
            for (int at = 0; at < endAt; at += chunk) {
                client.getOutputStream().write(stream, at, Math.min(chunk, endAt - at));
            }
            RecordingServer.Connection conn = server.connection(0, WAIT);
            int whole = wholePacketBytes(packets, endAt);
            conn.awaitReceived(Math.max(whole, 1), WAIT); // forwarding: the inspected first bytes are through
            lb.backend("b").removeServer("s", Duration.ZERO);
            // the client's farewell says the end has begun: the rest of the stream comes after it
            assertArrayEquals(FAREWELL_TO_CLIENT, Clients.readExactly(client.getInputStream(), FAREWELL_TO_CLIENT.length));
            for (int at = endAt; at < stream.length; at += chunk) {
                client.getOutputStream().write(stream, at, Math.min(chunk, stream.length - at));
            }
            assertEquals(0, readToEnd(client.getInputStream()).length, "nothing after the farewell");
            client.close();
            Await.until("the server to see the end", WAIT, conn::ended);
            byte[] got = conn.received();
            int prefix = got.length - FAREWELL_TO_SERVER.length;
            assertArrayEquals(FAREWELL_TO_SERVER, Arrays.copyOfRange(got, prefix, got.length), "the farewell last");
            assertArrayEquals(Arrays.copyOf(stream, prefix), Arrays.copyOf(got, prefix), "the stream unchanged");
            int begun = whole + packetAt(packets, whole).length;
            assertTrue(prefix == whole || (endAt > whole && prefix == begun),
                    "ends at " + prefix + ": after the whole packets (" + whole + ") or the one begun (" + begun + ")");
        }
    }

    private static byte[] packetAt(List<byte[]> packets, int offset) {
        int at = 0;
        for (byte[] p : packets) {
            if (at == offset) {
                return p;
            }
            at += p.length;
        }
        return new byte[0];
    }

    /** Bytes of the packets that lie wholly within the first {@code length} bytes of the stream. */
    private static int wholePacketBytes(List<byte[]> packets, int length) {
        int at = 0;
        for (byte[] p : packets) {
            if (at + p.length > length) {
                return at;
            }
            at += p.length;
        }
        return at;
    }

    private static LoadBalancer start(EventLog log, RecordingServer server, ManualClock clock) {
        return Balancers.start(log, global -> {
            if (clock != null) {
                global.clock(clock);
            }
        }, b -> b.server("s", server.address()), f -> f.keyExtractor(new LengthPrefixed()));
    }

    /** Closes {@code c} once the balancer ended its side, as a client told goodbye does. */
    private static void closeOnEnd(Socket c) {
        Thread t = new Thread(() -> {
            try (c) {
                readToEnd(c.getInputStream());
            } catch (IOException e) {
                // closed by the test
            }
        }, "client-reader");
        t.setDaemon(true);
        t.start();
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        while ((n = in.read(b)) >= 0) {
            out.write(b, 0, n);
        }
        return out.toByteArray();
    }

    static byte[] packet(int type, int length) {
        byte[] p = new byte[2 + length];
        p[0] = (byte) type;
        p[1] = (byte) length;
        for (int i = 0; i < length; i++) {
            p[2 + i] = (byte) (type * 31 + i);
        }
        return p;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Routes at the first byte; frames packets of a non-zero type byte, a length byte and the body. */
    static class LengthPrefixed implements KeyExtractor, PacketFraming {
        private static final int AWAITING_LENGTH = 1 << 20;
        private static final int ZERO_TYPE = -1;

        @Override
        public Verdict inspect(ByteBuffer firstBytes) {
            return Verdict.route("k");
        }

        @Override
        public PacketFraming framing(ByteBuffer firstBytes) {
            return this;
        }

        @Override
        public int advance(int state, ByteBuffer bytes) {
            int s = state;
            for (int i = bytes.position(); i < bytes.limit() && s >= 0; ) {
                if (s == BOUNDARY) {
                    s = bytes.get(i++) == 0 ? ZERO_TYPE : AWAITING_LENGTH;
                } else if (s == AWAITING_LENGTH) {
                    s = bytes.get(i++) & 0xFF;
                } else {
                    int step = Math.min(s, bytes.limit() - i);
                    i += step;
                    s -= step;
                }
            }
            return s;
        }

        @Override
        public int bytesToBoundary(int state) {
            return state == AWAITING_LENGTH ? 1 : state;
        }

        @Override
        public String malformation(int state) {
            return "type 0";
        }

        @Override
        public ByteBuffer farewellToServer(Termination why) {
            return ByteBuffer.wrap(FAREWELL_TO_SERVER);
        }

        @Override
        public ByteBuffer farewellToClient(Termination why) {
            return ByteBuffer.wrap(FAREWELL_TO_CLIENT);
        }
    }
}
