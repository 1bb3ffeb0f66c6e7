package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS in a JVM without its optimizing JIT compiler is warned about; anything else is not. */
class JitCheckTest {
    @TempDir
    Path temp;

    @Test
    void tlsForClientsWithTheQuickCompilerAloneIsWarnedAbout() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884",
            "--tls-cert", "/etc/cert.pem", "--tls-key", "/etc/key.pem"});
        Optional<String> warning = JitCheck.warning(o, 1);
        assertTrue(warning.isPresent());
        assertTrue(warning.get().contains("-XX:TieredStopAtLevel=1") && warning.get().contains("restart"), warning.get());
        assertEquals(Optional.empty(), JitCheck.warning(o, 4), "the optimizing compiler is there");
    }

    @Test
    void tlsToBrokersCountsToo() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884", "--server-tls-ca", "/etc/ca.pem"});
        assertTrue(JitCheck.warning(o, 1).isPresent());
    }

    @Test
    void tlsInOneSectionOfTheFileCounts() throws Exception {
        Path file = Files.writeString(temp.resolve("gateway.conf"), String.join("\n",
                "backend b", "    server a 127.0.0.1:1884",
                "frontend plain", "    listen 127.0.0.1:1883", "    backend b",
                "frontend secure", "    listen 127.0.0.1:8883", "    backend b", "    tls-cert /etc/cert.pem", ""));
        GatewayOptions o = GatewayOptions.parse(new String[] {"--config", file.toString()});
        assertTrue(JitCheck.usesTls(o));
        assertTrue(JitCheck.warning(o, 1).isPresent());
    }

    @Test
    void plainMqttIsNoConcern() throws Exception {
        GatewayOptions o = GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884"});
        assertFalse(JitCheck.usesTls(o));
        assertEquals(Optional.empty(), JitCheck.warning(o, 1));
    }
}
