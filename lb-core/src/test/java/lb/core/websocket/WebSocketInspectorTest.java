package lb.core.websocket;

import static lb.core.testing.WebSocketBytes.binary;
import static lb.core.testing.WebSocketBytes.frame;
import static lb.core.testing.WebSocketBytes.upgrade;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.core.model.KeyExtractor;
import lb.core.model.ServerHandshake;
import lb.core.model.Termination;
import lb.core.model.Verdict;
import lb.core.testing.LineKey;
import lb.core.testing.WebSocketBytes;

class WebSocketInspectorTest {
    private static final byte[] MASK = {9, 8, 7, 6};
    private final WebSocketInspector inspector = new WebSocketInspector(new LineKey(), WebSocketSettings.of("mqtt"));

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String text(ByteBuffer b) {
        return StandardCharsets.ISO_8859_1.decode(b.duplicate()).toString();
    }

    private Verdict inspect(byte[] bytes) {
        return inspector.inspect(ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    }

    @Test
    void aWholeRequestWithoutFramesNeedsMoreAndGreetsWithTheAccept() {
        Verdict v = inspect(upgrade("/", "mqtt"));
        assertEquals(Verdict.Kind.NEED_MORE, v.kind());
        String greeting = text(v.greeting());
        assertTrue(greeting.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), greeting);
        assertTrue(greeting.contains("Sec-WebSocket-Accept: " + WebSocketBytes.ACCEPT + "\r\n"), greeting);
        assertTrue(greeting.contains("Sec-WebSocket-Protocol: mqtt\r\n"), greeting);
        assertTrue(!greeting.toLowerCase().contains("extensions"), greeting);
    }

    @Test
    void theFirstMessageRoutesAndTheServerGetsTheRequestAndFramesUnchanged() {
        byte[] frames = binary("sensor-7\nrest".getBytes(), new Random(1));
        byte[] request = upgrade("/", "mqtt");
        Verdict v = inspect(concat(request, frames));
        assertEquals(Verdict.Kind.ROUTE, v.kind());
        assertEquals("sensor-7", v.key());
        assertNotNull(v.greeting());
        assertArrayEquals(concat(request, frames), bytes(v.forwarded()));
        assertEquals(request.length, v.serverHandshake().requestLength(), "the frames wait for the server's answer");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void aMessageCutAcrossFramesIsReadWhole() {
        byte[] frames = WebSocketBytes.fragmented("a-long-client-id\n".getBytes(), new int[] {1, 5, 6}, new Random(2));
        Verdict v = inspect(concat(upgrade("/", "mqtt"), frames));
        assertEquals("a-long-client-id", v.key());
    }

    @Test
    void theWrappedExtractorsRejectGoesInAFrameAfterTheGreeting() throws IOException {
        KeyExtractor refusing = new KeyExtractor() {
            @Override
            public Verdict inspect(ByteBuffer firstBytes) {
                return Verdict.reject("no", ByteBuffer.wrap(new byte[] {0x20, 0x02, 0x00, 0x05}));
            }
        };
        Verdict v = new WebSocketInspector(refusing, WebSocketSettings.of("mqtt"))
                .inspect(ByteBuffer.wrap(concat(upgrade("/", "mqtt"), binary(new byte[] {1}, new Random(3)))));
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertNotNull(v.greeting());
        ByteArrayInputStream in = new ByteArrayInputStream(bytes(v.reply()));
        WebSocketBytes.Frame connack = WebSocketBytes.readFrame(in);
        assertEquals(2, connack.opcode());
        assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x05}, connack.payload());
        WebSocketBytes.Frame close = WebSocketBytes.readFrame(in);
        assertEquals(8, close.opcode());
        assertEquals(1008, close.closeCode());
    }

    @Test
    void aBadUpgradeIsAnsweredWithItsHttpStatusAndNoGreeting() {
        Verdict v = inspect("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertNull(v.greeting());
        assertTrue(text(v.reply()).startsWith("HTTP/1.1 400 Bad Request\r\n"), text(v.reply()));
    }

    @Test
    void aBadFrameIsAnsweredWithACloseFrameAfterTheGreeting() throws IOException {
        Verdict v = inspect(concat(upgrade("/", "mqtt"), frame(2, true, "k\n".getBytes(), null)));
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertNotNull(v.greeting());
        assertEquals(1002, WebSocketBytes.readFrame(new ByteArrayInputStream(bytes(v.reply()))).closeCode());
        assertTrue(v.reason().contains("unmasked"), v.reason());
    }

    @Test
    void aFirstMessagePastTheBoundIsTooBig() throws IOException {
        WebSocketInspector small = new WebSocketInspector(new LineKey(), WebSocketSettings.of("mqtt").withMaxFirstMessageBytes(16));
        Verdict v = small.inspect(ByteBuffer.wrap(concat(upgrade("/", "mqtt"), frame(2, false, new byte[16], MASK))));
        assertEquals(Verdict.Kind.REJECT, v.kind());
        assertEquals(1009, WebSocketBytes.readFrame(new ByteArrayInputStream(bytes(v.reply()))).closeCode());
    }

    @Test
    void refusalsBeforeTheUpgradeAreHttpAndAfterItCloseFrames() throws IOException {
        assertTrue(text(inspector.refusalReply(ByteBuffer.allocate(0), Termination.SOURCE_LIMITED)).startsWith("HTTP/1.1 503 "));
        assertTrue(text(inspector.refusalReply(ByteBuffer.wrap(upgrade("/", "mqtt")), Termination.SOURCE_LIMITED))
                .startsWith("HTTP/1.1 503 "), "a source refused before any answer");
        ByteBuffer after = inspector.refusalReply(ByteBuffer.wrap(concat(upgrade("/", "mqtt"),
                binary("k\n".getBytes(), new Random(4)))), Termination.NO_SERVER);
        assertEquals(1013, WebSocketBytes.readFrame(new ByteArrayInputStream(bytes(after))).closeCode());
    }

    @Test
    void theServersAnswerIsCheckedAgainstTheKeyAndTheChosenSubprotocol() {
        ServerHandshake check = new UpgradeAnswer(WebSocketBytes.KEY, "mqtt", 0);
        String ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WebSocketBytes.ACCEPT + "\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
        byte[] okBytes = ok.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(okBytes.length, check.check(ByteBuffer.wrap(concat(okBytes, new byte[] {(byte) 0x82, 0}))));
        assertEquals(ServerHandshake.NEED_MORE, check.check(ByteBuffer.wrap(okBytes, 0, okBytes.length - 1).slice()));
        assertTrue(check.check(ascii(ok.replace("101 Switching Protocols", "403 Forbidden"))) < 0);
        assertTrue(check.failure().contains("403"), check.failure());
        assertTrue(check.check(ascii(ok.replace(WebSocketBytes.ACCEPT, "x"))) < 0);
        assertTrue(check.check(ascii(ok.replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"))) < 0);
        assertTrue(check.check(ascii(ok.replace("Protocol: mqtt", "Protocol: mqttv3.1"))) < 0);
        assertTrue(check.check(ascii("SSH-2.0-OpenSSH")) < 0, "not HTTP at all");
        assertEquals(1014, ((check.failureReply().get(2) & 0xFF) << 8) | (check.failureReply().get(3) & 0xFF));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
