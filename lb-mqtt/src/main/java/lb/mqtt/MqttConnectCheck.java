package lb.mqtt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import lb.core.health.HealthCheck;
import lb.core.health.Judgement;
import lb.core.health.ReplyMatcher;

/**
 * The MQTT health check: CONNECT, expect a CONNACK that accepts, then DISCONNECT. A broker
 * that answers with a refusal code, anything else, or nothing within the timeout fails.
 *
 * <pre>
 * CONNECT (3.1.1 §3.1 / 5.0 §3.1)           CONNACK (3.1.1 §3.2 / 5.0 §3.2)
 *   0x10 | remaining length                    0x20 | remaining length (2 in 3.1.1)
 *   00 04 'M' 'Q' 'T' 'T' | level 4 or 5        acknowledge flags
 *   flags 0x02 (clean session / clean start)    return code (3.1.1) / reason code (5.0)
 *   keep-alive (2 bytes)                         [5.0: properties]
 *   [5.0: properties length 0]
 *   client id (2-byte length + UTF-8)         DISCONNECT: 0xE0 0x00
 * </pre>
 *
 * The client id ({@code lb-check-} and 8 hex digits) differs per check definition and per
 * server, so neither two balancers checking one broker nor the probes of several nodes of one
 * clustered broker take over each other's check session.
 */
final class MqttConnectCheck {
    private static final byte[] DISCONNECT = {(byte) 0xE0, 0x00};
    private static final int CONNACK = 0x20;
    private static final int KEEP_ALIVE_SECONDS = 10;

    private MqttConnectCheck() {
    }

    static HealthCheck create(MqttVersion version) {
        if (version == MqttVersion.V3_1) {
            throw new IllegalArgumentException("the MQTT check speaks 3.1.1 or 5.0");
        }
        int salt = ThreadLocalRandom.current().nextInt();
        return HealthCheck.sendExpect("mqtt",
                serverName -> connect(version, String.format("lb-check-%08x", salt ^ serverName.hashCode())),
                matcher(version), DISCONNECT);
    }

    private static byte[] connect(MqttVersion version, String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', (byte) version.level(), 0x02, 0, KEEP_ALIVE_SECONDS});
        if (version == MqttVersion.V5) {
            body.write(0); // no properties
        }
        body.write(id.length >> 8);
        body.write(id.length);
        body.writeBytes(id);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        packet.write(body.size()); // < 128: one length byte
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static ReplyMatcher matcher(MqttVersion version) {
        return reply -> {
            if (reply.remaining() < 4) {
                return reply.remaining() > 0 && (reply.get(reply.position()) & 0xFF) != CONNACK
                        ? notConnack(reply) : Judgement.NEED_MORE;
            }
            int p = reply.position();
            if ((reply.get(p) & 0xFF) != CONNACK) {
                return notConnack(reply);
            }
            int code = reply.get(p + 3) & 0xFF; // remaining length < 128 in both versions' CONNACK
            if (code == 0) {
                return Judgement.PASS;
            }
            return Judgement.fail((version == MqttVersion.V5 ? "CONNACK reason code 0x" : "CONNACK return code 0x")
                    + Integer.toHexString(code));
        };
    }

    private static Judgement notConnack(ByteBuffer reply) {
        return Judgement.fail("not a CONNACK (first byte 0x" + Integer.toHexString(reply.get(reply.position()) & 0xFF) + ")");
    }
}
