package lb.core.websocket;

import static lb.core.testing.WebSocketBytes.KEY;
import static lb.core.testing.WebSocketBytes.upgrade;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import lb.core.testing.WebSocketBytes;

class UpgradeRequestTest {
    private static final WebSocketSettings MQTT = WebSocketSettings.of("mqtt", "mqttv3.1").withPath("/mqtt");

    private static UpgradeRequest parse(String request) {
        return UpgradeRequest.parse(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)), MQTT);
    }

    private static UpgradeRequest parse(byte[] request) {
        return UpgradeRequest.parse(ByteBuffer.wrap(request), MQTT);
    }

    private static String valid() {
        return new String(upgrade("/mqtt", "mqtt"), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aValidRequestUpgradesWithTheKeyAndTheChosenSubprotocol() {
        UpgradeRequest r = parse(upgrade("/mqtt?token=1", "mqttv3.1, mqtt"));
        assertEquals(UpgradeRequest.Status.UPGRADE, r.status());
        assertEquals(KEY, r.key());
        assertEquals("mqttv3.1", r.subprotocol(), "the client's preference first");
        assertEquals(upgrade("/mqtt?token=1", "mqttv3.1, mqtt").length, r.length());
    }

    @Test
    void everyPrefixOfAValidRequestNeedsMore() {
        byte[] request = upgrade("/mqtt", "mqtt");
        for (int n = 0; n < request.length; n++) {
            assertEquals(UpgradeRequest.Status.NEED_MORE,
                    UpgradeRequest.parse(ByteBuffer.wrap(request, 0, n).slice(), MQTT).status(), "prefix " + n);
        }
    }

    @Test
    void theAcceptIsTheRfcExample() {
        assertEquals(WebSocketBytes.ACCEPT, Handshake.accept(KEY));
    }

    @Test
    void aNonUpgradeRequestIsABadRequest() {
        UpgradeRequest r = parse("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(400, r.httpStatus());
        assertTrue(r.problem().contains("not a WebSocket upgrade"), r.problem());
    }

    @Test
    void somethingOtherThanHttpIsRefusedAtItsFirstByte() {
        UpgradeRequest r = UpgradeRequest.parse(ByteBuffer.wrap(new byte[] {0x10}), MQTT);
        assertEquals(UpgradeRequest.Status.INVALID, r.status());
        assertEquals(400, r.httpStatus());
        assertEquals(400, parse("POST /mqtt HTTP/1.1\r\n\r\n").httpStatus());
    }

    @Test
    void aHeadLongerThanTheBoundIsRefusedBeforeItEnds() {
        String longHeader = "X-Padding: " + "x".repeat(UpgradeRequest.MAX_HEAD_BYTES) + "\r\n";
        String request = valid().replace("Host:", longHeader + "Host:");
        assertEquals(431, parse(request.substring(0, UpgradeRequest.MAX_HEAD_BYTES)).httpStatus());
        assertEquals(UpgradeRequest.Status.NEED_MORE, parse(request.substring(0, UpgradeRequest.MAX_HEAD_BYTES - 1)).status());
    }

    @Test
    void aMissingOrShortKeyIsABadRequest() {
        assertEquals(400, parse(valid().replace("Sec-WebSocket-Key: " + KEY + "\r\n", "")).httpStatus());
        assertEquals(400, parse(valid().replace(KEY, "c2hvcnQ=")).httpStatus());
        assertEquals(400, parse(valid().replace(KEY, "not base64 at all!!!!!!!")).httpStatus());
    }

    @Test
    void aWrongVersionIsUpgradeRequiredNamingThirteen() {
        UpgradeRequest r = parse(valid().replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
        assertEquals(426, r.httpStatus());
        assertEquals("Sec-WebSocket-Version: 13", r.extraHeader());
    }

    @Test
    void aWrongPathIsNotFound() {
        assertEquals(404, parse(upgrade("/elsewhere", "mqtt")).httpStatus());
        assertEquals(UpgradeRequest.Status.UPGRADE, UpgradeRequest.parse(ByteBuffer.wrap(upgrade("/elsewhere", "mqtt")),
                WebSocketSettings.of("mqtt")).status(), "no path set: any path");
    }

    @Test
    void noSupportedSubprotocolIsABadRequest() {
        assertEquals(400, parse(upgrade("/mqtt", "chat, superchat")).httpStatus());
    }

    @Test
    void anOldHttpOrAMissingHostOrAMalformedLineIsABadRequest() {
        assertEquals(400, parse(valid().replace("HTTP/1.1", "HTTP/1.0")).httpStatus());
        assertEquals(400, parse(valid().replace("Host: broker.example.com\r\n", "")).httpStatus());
        assertEquals(400, parse(valid().replace("Host: broker.example.com\r\n", "Host broker.example.com\r\n")).httpStatus());
        assertEquals(400, parse(valid().replace("Connection: Upgrade", "Connection: keep-alive")).httpStatus());
    }

    @Test
    void theReplayedRequestDropsExtensionsAndOffersOnlyTheChosenSubprotocol() {
        byte[] request = upgrade("/mqtt", "mqttv3.1, mqtt", "Sec-WebSocket-Extensions: permessage-deflate", "Origin: x");
        ByteBuffer bytes = ByteBuffer.wrap(request);
        UpgradeRequest r = UpgradeRequest.parse(bytes, MQTT);
        ByteBuffer out = ByteBuffer.allocate(request.length);
        r.replayTo(bytes, out);
        String replayed = new String(out.array(), 0, out.position(), StandardCharsets.ISO_8859_1);
        String expected = new String(request, StandardCharsets.ISO_8859_1)
                .replace("Sec-WebSocket-Extensions: permessage-deflate\r\n", "")
                .replace("mqttv3.1, mqtt", "mqttv3.1");
        assertEquals(expected, replayed);
    }
}
