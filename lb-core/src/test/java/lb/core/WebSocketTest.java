package lb.core;

import static lb.core.testing.WebSocketBytes.binary;
import static lb.core.testing.WebSocketBytes.frame;
import static lb.core.testing.WebSocketBytes.upgrade;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.model.ServerState;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.stick.LruStickTable;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;
import lb.core.testing.FakeWebSocketServer;
import lb.core.testing.LineKey;
import lb.core.testing.WebSocketBytes;
import lb.core.websocket.WebSocketInspector;
import lb.core.websocket.WebSocketSettings;

/**
 * WebSocket clients through a running balancer to two fake WebSocket servers (each answers the
 * upgrade, sends its name in a frame, then echoes what it gets), routed by the first line of the
 * first message through a stick table; and hostile clients refused before any server sees them.
 */
@Timeout(60)
class WebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final EventLog events = new EventLog();
    private final FakeWebSocketServer a = FakeWebSocketServer.start("a");
    private final FakeWebSocketServer b = FakeWebSocketServer.start("b");
    private final Random random = new Random(11);
    private LoadBalancer lb;

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.close();
        }
        a.close();
        b.close();
    }

    private void start(ServerState state) {
        lb = Balancers.start(events, backend -> backend
                .server("a", a.address(), o -> o.state(state))
                .server("b", b.address(), o -> o.state(state))
                .stickTable(new LruStickTable(100, Duration.ofMinutes(5), 64)), frontend -> frontend
                .keyExtractor(new WebSocketInspector(new LineKey(), WebSocketSettings.of("mqtt", "mqttv3.1")
                        .withPath("/mqtt").withMaxFirstMessageBytes(1024)))
                .inspectMaxBytes(4096));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Upgrades, checks the balancer's 101, sends {@code frames}; the server's name as its first frame says. */
    private String visit(Socket s, byte[] request, byte[] frames) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(request);
        String head = WebSocketBytes.readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        assertTrue(head.contains("Sec-WebSocket-Accept: " + WebSocketBytes.ACCEPT), head);
        out.write(frames);
        WebSocketBytes.Frame tag = WebSocketBytes.readFrame(in);
        assertEquals(2, tag.opcode());
        return new String(tag.payload(), StandardCharsets.US_ASCII);
    }

    @Test
    void theSameKeyReturnsToTheSameServerAndEveryByteGoesThroughUnchanged() throws Exception {
        start(ServerState.READY);
        String home = null;
        for (int i = 0; i < 20; i++) {
            byte[] frames = binary(("client-7\nhello " + i).getBytes(StandardCharsets.US_ASCII), random);
            try (Socket s = Clients.connect(Balancers.address(lb))) {
                String server = visit(s, upgrade("/mqtt", "mqtt"), frames);
                home = home == null ? server : home;
                assertEquals(home, server, "reconnect " + i);
                assertArrayEquals(frames, Clients.readExactly(s.getInputStream(), frames.length), "echoed as sent");
                byte[] later = binary("more".getBytes(), random);
                s.getOutputStream().write(later);
                assertArrayEquals(later, Clients.readExactly(s.getInputStream(), later.length));
            }
            assertEquals("client-7", events.next(WAIT).key());
        }
        FakeWebSocketServer served = home.equals("a") ? a : b;
        assertEquals(20, served.accepted());
        assertEquals(0, served.pipelined(), "frames waited for the server's 101");
        assertEquals(0, (served == a ? b : a).accepted());
    }

    @Test
    void theServerGetsTheRequestWithoutExtensionsAndWithTheChosenSubprotocolOnly() throws Exception {
        start(ServerState.READY);
        byte[] request = upgrade("/mqtt", "mqtt, mqttv3.1", "Sec-WebSocket-Extensions: permessage-deflate");
        try (Socket s = Clients.connect(Balancers.address(lb))) {
            String server = visit(s, request, binary("k\n".getBytes(), random));
            String seen = (server.equals("a") ? a : b).requests().get(0);
            assertFalse(seen.toLowerCase().contains("extensions"), seen);
            assertTrue(seen.endsWith("\r\nSec-WebSocket-Protocol: mqtt"), seen);
        }
    }

    @Test
    void aFirstMessageCutAcrossFramesAndReadsRoutesByItsKey() throws Exception {
        start(ServerState.READY);
        byte[] frames = WebSocketBytes.fragmented("split-key\npayload".getBytes(), new int[] {2, 3, 9}, random);
        try (Socket s = Clients.connect(Balancers.address(lb))) {
            OutputStream out = s.getOutputStream();
            out.write(upgrade("/mqtt", "mqtt"));
            assertTrue(WebSocketBytes.readHead(s.getInputStream()).startsWith("HTTP/1.1 101 "));
            for (int i = 0; i < frames.length; i += 3) {
                out.write(frames, i, Math.min(3, frames.length - i));
                out.flush();
                Thread.sleep(2);
            }
            WebSocketBytes.readFrame(s.getInputStream());
            assertArrayEquals(frames, Clients.readExactly(s.getInputStream(), frames.length));
        }
        assertEquals("split-key", events.next(WAIT).key());
    }

    /** Sends {@code bytes} and reads what the balancer answers until it closes. */
    private byte[] refused(byte[] bytes) throws IOException {
        try (Socket s = Clients.connect(Balancers.address(lb))) {
            s.getOutputStream().write(bytes);
            return s.getInputStream().readAllBytes();
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void hostileUpgradesAreAnsweredWithTheirHttpStatusAndCounted() throws Exception {
        start(ServerState.READY);
        String valid = text(upgrade("/mqtt", "mqtt"));
        assertTrue(text(refused("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n".getBytes())).startsWith("HTTP/1.1 400 "));
        assertTrue(text(refused(valid.replace("Sec-WebSocket-Key: " + WebSocketBytes.KEY + "\r\n", "").getBytes()))
                .startsWith("HTTP/1.1 400 "));
        String wrongVersion = text(refused(valid.replace("Version: 13", "Version: 8").getBytes()));
        assertTrue(wrongVersion.startsWith("HTTP/1.1 426 Upgrade Required\r\n"), wrongVersion);
        assertTrue(wrongVersion.contains("\r\nSec-WebSocket-Version: 13\r\n"), wrongVersion);
        assertTrue(text(refused(upgrade("/other", "mqtt"))).startsWith("HTTP/1.1 404 "));
        assertEquals(4, events.take(4, WAIT).stream().filter(e -> e.termination() == Termination.INSPECT_REJECTED).count());
        assertEquals(4, lb.stats().frontend("f").traffic().ends().count(Termination.INSPECT_REJECTED));
        assertEquals(0, a.accepted() + b.accepted(), "no server saw them");
    }

    private int closeCodeAfterUpgrade(byte[] frames) throws IOException {
        try (Socket s = Clients.connect(Balancers.address(lb))) {
            s.getOutputStream().write(upgrade("/mqtt", "mqtt"));
            InputStream in = s.getInputStream();
            assertTrue(WebSocketBytes.readHead(in).startsWith("HTTP/1.1 101 "));
            s.getOutputStream().write(frames);
            WebSocketBytes.Frame close = WebSocketBytes.readFrame(in);
            assertEquals(8, close.opcode());
            assertEquals(-1, in.read(), "then closed");
            return close.closeCode();
        }
    }

    @Test
    void hostileFramesAreAnsweredWithTheirCloseCodeAndCounted() throws Exception {
        start(ServerState.READY);
        byte[] mask = {1, 2, 3, 4};
        assertEquals(1002, closeCodeAfterUpgrade(frame(2, true, "k\n".getBytes(), null)), "unmasked");
        assertEquals(1002, closeCodeAfterUpgrade(frame(5, true, "k\n".getBytes(), mask)), "reserved opcode");
        assertEquals(1003, closeCodeAfterUpgrade(frame(1, true, "k\n".getBytes(), mask)), "text");
        assertEquals(1009, closeCodeAfterUpgrade(Arrays.copyOf(frame(2, true, new byte[5000], mask), 20)), "oversized");
        for (TunnelEvent e : events.take(4, WAIT)) {
            assertEquals(Termination.INSPECT_REJECTED, e.termination(), e.detail());
        }
        assertEquals(4, lb.stats().frontend("f").traffic().ends().count(Termination.INSPECT_REJECTED));
        assertEquals(0, a.accepted() + b.accepted(), "no server saw them");
    }

    @Test
    void aClientNoServerCanTakeHearsTryAgainLater() throws Exception {
        start(ServerState.MAINTENANCE);
        assertEquals(1013, closeCodeAfterUpgrade(binary("k\n".getBytes(), random)));
        assertEquals(Termination.NO_SERVER, events.next(WAIT).termination());
    }

    @Test
    void aServerThatNeverAnswersTheUpgradeIsGivenUpAfterTheConnectTimeout() throws Exception {
        try (FakeServer silent = FakeServer.start("silent", FakeServer.Mode.SINK)) {
            lb = Balancers.start(events, backend -> backend
                    .server("silent", silent.address())
                    .connectTimeout(Duration.ofMillis(300))
                    .serverTimeout(Duration.ofHours(1)), frontend -> frontend
                    .keyExtractor(new WebSocketInspector(new LineKey(), WebSocketSettings.of("mqtt"))));
            assertEquals(1014, closeCodeAfterUpgrade(binary("k\n".getBytes(), random)));
            TunnelEvent event = events.next(WAIT);
            assertEquals(Termination.SERVER_HANDSHAKE_FAILED, event.termination());
            assertTrue(event.detail().contains("no answer to the forwarded request within 300 ms"), event.detail());
        }
    }

    @Test
    void aServerThatRefusesTheUpgradeEndsTheTunnelWithBadGatewayAndIsCounted() throws Exception {
        a.answering(ok -> "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n");
        b.answering(ok -> ok.replace("Sec-WebSocket-Accept: ", "Sec-WebSocket-Accept: x"));
        start(ServerState.READY);
        assertEquals(1014, closeCodeAfterUpgrade(binary("k1\n".getBytes(), random)));
        assertEquals(1014, closeCodeAfterUpgrade(binary("k2\n".getBytes(), random)));
        String details = "";
        for (TunnelEvent e : events.take(2, WAIT)) {
            assertEquals(Termination.SERVER_HANDSHAKE_FAILED, e.termination(), e.detail());
            details += e.detail() + "; ";
        }
        assertEquals(2, lb.stats().frontend("f").traffic().ends().count(Termination.SERVER_HANDSHAKE_FAILED));
        assertTrue(details.contains("403") || details.contains("Accept"), details);
    }
}
