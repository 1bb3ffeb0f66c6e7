package lb.examples.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real MQTT 5.0 client against the fake broker: its reading of the protocol, not ours. */
@Timeout(30)
class Paho5ClientTest {
    @Test
    void clientsSubscribeWithHashAndReceiveAtQos1() throws Exception {
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        try (FakeBroker broker = new FakeBroker("broker-paho5").start()) {
            String uri = "tcp://127.0.0.1:" + broker.address().getPort();
            MqttClient subscriber = new MqttClient(uri, "paho5-sub", new MemoryPersistence());
            MqttClient publisher = new MqttClient(uri, "paho5-pub", new MemoryPersistence());
            try {
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setConnectionTimeout(5);
                subscriber.connect(options);
                IMqttMessageListener listener =
                        (topic, message) -> received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
                subscriber.subscribe(new MqttSubscription[] {new MqttSubscription("home/#", 1)},
                        new IMqttMessageListener[] {listener});
                publisher.connect(options);
                publisher.publish("home/hall/light", "on".getBytes(StandardCharsets.UTF_8), 1, false);
                assertEquals("home/hall/light=on", received.poll(5, TimeUnit.SECONDS));
                publisher.disconnect();
                subscriber.disconnect();
            } finally {
                subscriber.close();
                publisher.close();
            }
            assertTrue(broker.servedClientIds().containsAll(Set.of("paho5-sub", "paho5-pub")));
        }
    }
}
