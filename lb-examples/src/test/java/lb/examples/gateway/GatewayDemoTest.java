package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The demo, small: every client served, stickiness held, failover and recovery seen. */
class GatewayDemoTest {

    @Test
    void theDemoServesEveryClientAndKeepsStickiness() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = MqttGateway.run(new String[] {"--demo", "--demo-clients", "300", "--listen", "127.0.0.1:0",
                        "--stats", "127.0.0.1:0", "--duration", "0s"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("clients served          300 of 300"), text);
        assertTrue(text.contains("stickiness              300 of 300"), text);
        assertTrue(text.matches("(?s).*failover .*marked down \\d+ ms after it died; \\d+ of its clients moved.*"), text);
        assertTrue(text.contains("back in rotation"), text);
    }
}
