package lb.examples.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real MQTT 3.1.1 client against the fake broker: its reading of the protocol, not ours. */
@Timeout(30)
class Paho3ClientTest {
    @Test
    void clientsSubscribeWithPlusAndReceiveAtQos1() throws Exception {
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        try (FakeBroker broker = new FakeBroker("broker-paho3").start()) {
            String uri = "tcp://127.0.0.1:" + broker.address().getPort();
            MqttClient subscriber = new MqttClient(uri, "paho3-sub", new MemoryPersistence());
            MqttClient publisher = new MqttClient(uri, "paho3-pub", new MemoryPersistence());
            try {
                MqttConnectOptions options = new MqttConnectOptions();
                options.setConnectionTimeout(5);
                subscriber.connect(options);
                subscriber.subscribe("sensors/+/temp", 1,
                        (topic, message) -> received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8)));
                publisher.connect(options);
                publisher.publish("sensors/kitchen/humidity", "40".getBytes(StandardCharsets.UTF_8), 0, false);
                publisher.publish("sensors/kitchen/temp", "21".getBytes(StandardCharsets.UTF_8), 1, false);
                assertEquals("sensors/kitchen/temp=21", received.poll(5, TimeUnit.SECONDS));
                subscriber.unsubscribe("sensors/+/temp");
                publisher.disconnect();
                subscriber.disconnect();
            } finally {
                subscriber.close();
                publisher.close();
            }
            assertTrue(broker.servedClientIds().containsAll(Set.of("paho3-sub", "paho3-pub")));
            assertTrue(received.isEmpty());
        }
    }
}
