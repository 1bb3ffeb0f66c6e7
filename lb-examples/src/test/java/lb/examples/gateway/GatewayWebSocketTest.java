package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.testing.Clients;
import lb.core.testing.FakeWebSocketServer;
import lb.core.testing.WebSocketBytes;

/** --websocket and --websocket-path: the gateway answers upgrades and routes the CONNECT inside the frames. */
@Timeout(30)
class GatewayWebSocketTest {
    /** An MQTT 3.1.1 CONNECT, client id "ws-1", keep-alive 60. */
    private static final byte[] CONNECT = {0x10, 0x10, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
            0x00, 0x04, 'w', 's', '-', '1'};

    @Test
    void aWebSocketClientIsUpgradedAndItsConnectReachesTheBrokersWebSocketPort() throws Exception {
        try (FakeWebSocketServer broker = FakeWebSocketServer.start("ws-broker")) {
            GatewayOptions o = GatewayOptions.parse(new String[] {"--listen", "127.0.0.1:0", "--event-loops", "1",
                    "--no-stats", "--websocket", "--websocket-path", "/mqtt",
                    "--backends", "127.0.0.1:" + broker.address().getPort()});
            assertEquals("tcp", o.health, "mqtt cannot check a WebSocket port");
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
                InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
                try (Socket s = Clients.connect(front)) {
                    s.getOutputStream().write(WebSocketBytes.upgrade("/mqtt", "mqtt"));
                    InputStream in = s.getInputStream();
                    assertTrue(WebSocketBytes.readHead(in).startsWith("HTTP/1.1 101 "));
                    s.getOutputStream().write(WebSocketBytes.binary(CONNECT, new Random(1)));
                    assertEquals("ws-broker", new String(WebSocketBytes.readFrame(in).payload(), StandardCharsets.US_ASCII));
                    assertEquals(CONNECT.length, WebSocketBytes.readFrame(in).payload().length, "the CONNECT, echoed");
                }
                try (Socket s = Clients.connect(front)) {
                    s.getOutputStream().write(WebSocketBytes.upgrade("/elsewhere", "mqtt"));
                    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(answer.startsWith("HTTP/1.1 404 "), answer);
                }
            }
            assertEquals(1, broker.accepted());
        }
    }

    @Test
    void aWebSocketPathWithoutWebSocketOrAnMqttHealthCheckIsRefused() {
        assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--websocket-path", "/mqtt",
                "--backends", "127.0.0.1:8083"}));
        assertThrows(UsageException.class, () -> GatewayOptions.parse(new String[] {"--websocket", "--health", "mqtt",
                "--backends", "127.0.0.1:8083"}));
    }
}
