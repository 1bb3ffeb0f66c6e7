package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.Server;
import lb.examples.broker.FakeBroker;
import lb.mqtt.Mqtt;

/**
 * A client id far past the stick table's key limit sticks and counts like any other, through
 * the gateway as shipped (least connections, a client-id stick table, MQTT health checks).
 */
class LongClientIdTest {
    private static final String LONG_ID = longId();

    private static String longId() {
        StringBuilder id = new StringBuilder();
        for (int i = 0; id.length() < 1_000; i++) {
            id.append("plant-4/line-").append(i).append("/sensor/");
        }
        return id.substring(0, 1_000);
    }

    @Test
    void aThousandCharacterClientIdSticksAcross20ReconnectsWithTheDefaults() throws Exception {
        assertTrue(LONG_ID.length() > Mqtt.MAX_STICKY_CLIENT_ID_LENGTH);
        try (FakeBroker a = new FakeBroker("a").start();
             FakeBroker b = new FakeBroker("b").start();
             FakeBroker c = new FakeBroker("c").start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {"--listen", "127.0.0.1:0",
                    "--server", "a=127.0.0.1:" + a.address().getPort(),
                    "--server", "b=127.0.0.1:" + b.address().getPort(),
                    "--server", "c=127.0.0.1:" + c.address().getPort()});
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
                InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
                List<WireClient> open = new ArrayList<>();
                try {
                    WireClient first = new WireClient(front);
                    open.add(first);
                    assertEquals(0, first.connect(LONG_ID, 4));
                    Server home = serverHolding(lb, 1);
                    // Each reconnect comes while the previous connection is still open (a client
                    // taking its session over), so least connections alone would pick another broker.
                    for (int i = 1; i <= 20; i++) {
                        WireClient next = new WireClient(front);
                        open.add(next);
                        assertEquals(0, next.connect(LONG_ID, i % 2 == 0 ? 4 : 5), "reconnect " + i);
                        // the broker then closes the taken-over connection, which ends its tunnel
                        for (Server s : lb.backend("brokers").servers()) {
                            if (!s.name().equals(home.name())) {
                                assertEquals(0, s.connections(), "reconnect " + i + " went to " + s.name()
                                        + ", not back to " + home.name());
                            }
                        }
                        open.remove(0).close();
                    }
                    assertEquals(1, lb.backend("brokers").stickTable().size(), "one entry, the digest");
                } finally {
                    for (WireClient w : open) {
                        w.close();
                    }
                }
            }
        }
    }

    @Test
    void aThousandCharacterClientIdCountsForTheClientIdConnectionRate() throws Exception {
        try (FakeBroker a = new FakeBroker("a").start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {"--listen", "127.0.0.1:0", "--health", "none",
                    "--server", "a=127.0.0.1:" + a.address().getPort(), "--max-key-connection-rate", "2"});
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
                InetSocketAddress front = lb.frontend("mqtt").boundAddresses().get(0);
                for (int i = 0; i < 2; i++) {
                    try (WireClient w = new WireClient(front)) {
                        assertEquals(0, w.connect(LONG_ID, 5));
                    }
                }
                try (WireClient w = new WireClient(front)) {
                    assertEquals(0x9F, w.connect(LONG_ID, 5), "MQTT 5 'connection rate exceeded'");
                }
                try (WireClient w = new WireClient(front)) {
                    assertEquals(0, w.connect(LONG_ID.substring(0, 999) + "!", 5), "a long id differing in its last character is another client");
                }
            }
        }
    }

    /** The one server holding {@code connections} tunnels while the others hold none. */
    private static Server serverHolding(LoadBalancer lb, int connections) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Server holding = null;
            int total = 0;
            for (Server s : lb.backend("brokers").servers()) {
                total += s.connections();
                if (s.connections() == connections) {
                    holding = s;
                }
            }
            if (holding != null && total == connections) {
                return holding;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no server holds all " + connections + " connections: " + lb.backend("brokers").servers());
            }
            Thread.sleep(5);
        }
    }
}
