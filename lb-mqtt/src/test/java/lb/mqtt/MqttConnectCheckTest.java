package lb.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.health.HealthCheck;
import lb.core.health.Judgement;
import lb.core.model.Server;
import lb.core.testing.Await;
import lb.core.testing.Balancers;

class MqttConnectCheckTest {

    @Test
    void theCheckSendsAValidConnectInEitherVersion() {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.V3_1_1, MqttVersion.V5}) {
            ParseResult r = new MqttConnectParser().parse(Mqtt.connectCheck(v).request());
            assertTrue(r.isValid(), v + ": " + r.reason());
            assertEquals(v, r.version());
            assertTrue(r.connect().clientId().startsWith("lb-check-"));
            assertTrue(r.connect().cleanStart());
        }
    }

    @Test
    void onlyAnAcceptingConnackPasses() {
        HealthCheck v3 = Mqtt.connectCheck();
        HealthCheck v5 = Mqtt.connectCheck(MqttVersion.V5);
        assertTrue(judge(v3, "20020000").isPass());
        assertTrue(judge(v5, "2003000000").isPass());
        assertEquals("CONNACK return code 0x5", judge(v3, "20020005").reason());
        assertEquals("CONNACK reason code 0x87", judge(v5, "2003008700").reason());
        assertTrue(judge(v3, "2002").isNeedMore());
        assertEquals("not a CONNACK (first byte 0x30)", judge(v3, "30").reason());
    }

    @Test
    void aBrokerRefusingConnectsIsMarkedDownAndAnAcceptingOneStaysUp() throws Exception {
        AtomicInteger disconnects = new AtomicInteger();
        try (ServerSocket accepting = broker(0x00, disconnects);
             ServerSocket refusing = broker(0x05, new AtomicInteger());
             LoadBalancer lb = Balancers.start(null, b -> b
                     .server("ok", (InetSocketAddress) accepting.getLocalSocketAddress())
                     .server("refusing", (InetSocketAddress) refusing.getLocalSocketAddress())
                     .healthCheck(Mqtt.connectCheck().interval(Duration.ofMillis(100))
                             .fastInterval(Duration.ofMillis(100)).fall(2)))) {
            Server bad = lb.backend("b").server("refusing");
            Await.until("refusing broker marked down", Duration.ofSeconds(5), () -> !bad.isUp());
            assertEquals("bad reply: CONNACK return code 0x5", bad.healthReason());
            assertTrue(lb.backend("b").server("ok").isUp());
            Await.until("a DISCONNECT after the CONNACK", Duration.ofSeconds(5), () -> disconnects.get() > 0);
        }
    }

    private static Judgement judge(HealthCheck check, String hex) {
        return check.matcher().judge(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
    }

    /** A broker stand-in: answers every CONNECT with {@code code}, counts DISCONNECTs. */
    private static ServerSocket broker(int code, AtomicInteger disconnects) throws Exception {
        ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(2_000);
                    InputStream in = s.getInputStream();
                    in.read(); // CONNECT fixed header
                    int length = in.read();
                    in.readNBytes(length);
                    s.getOutputStream().write(new byte[] {0x20, 0x02, 0x00, (byte) code});
                    if (in.read() == 0xE0) {
                        disconnects.incrementAndGet();
                    }
                } catch (Exception e) {
                    // next connection
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }
}
