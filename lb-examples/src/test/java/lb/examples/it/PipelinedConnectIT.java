package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.model.TunnelEvent;
import lb.core.testing.EventLog;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * A client need not wait for its CONNACK before sending more (MQTT 3.1.1 section 3.1.4), so the
 * segment the inspector reads may hold a PUBLISH right behind the CONNECT. Those bytes must
 * reach the broker too, intact and in order. (The fake broker is used here because the embedded
 * real one drops a PUBLISH that overtakes the setting up of its client's session.)
 */
@Timeout(30)
class PipelinedConnectIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aPublishSentInTheSameSegmentAsItsConnectReachesTheBrokerIntact() throws Exception {
        EventLog events = new EventLog();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (FakeBroker broker = new FakeBroker("broker-pipelined").start();
             LoadBalancer lb = LoadBalancer.builder()
                     .eventLoops(2)
                     .listener(events)
                     .backend("brokers", backend -> backend.server("only", broker.address()))
                     .frontend("mqtt", frontend -> frontend
                             .listen(new InetSocketAddress("127.0.0.1", 0))
                             .keyExtractor(Mqtt.connectInspector())
                             .backend("brokers"))
                     .build()
                     .start()) {
            InetSocketAddress at = lb.frontend("mqtt").boundAddresses().get(0);
            MqttClient watcher = new MqttClient("tcp://127.0.0.1:" + at.getPort(), "segment-watcher", new MemoryPersistence());
            try {
                MqttConnectOptions options = new MqttConnectOptions();
                options.setConnectionTimeout(5);
                watcher.connect(options);
                watcher.subscribe("segment/+", 0, (topic, message) ->
                        received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8)));

                byte[] stream = RawMqtt.concat(RawMqtt.connect("one-segment", RawMqtt.CLEAN_SESSION, 60),
                        RawMqtt.publish("segment/x", "right behind the CONNECT"));
                try (RawMqtt raw = RawMqtt.connectTo(at)) {
                    raw.send(stream);
                    assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x00}, raw.read(4), "CONNACK accepted");
                    assertEquals("segment/x=right behind the CONNECT", received.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
                TunnelEvent event = events.next(WAIT);
                assertEquals("one-segment", event.key());
                assertEquals(stream.length, event.bytesFromClient(), "every byte sent was forwarded, none more");
                watcher.disconnect();
            } finally {
                watcher.close(true);
            }
        }
    }
}
