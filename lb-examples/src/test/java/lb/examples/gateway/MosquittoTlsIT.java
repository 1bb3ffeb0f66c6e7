package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import lb.core.LoadBalancer;
import lb.core.testing.Await;
import lb.core.testing.ExternalTool;
import lb.examples.it.EmbeddedMoquette;

/**
 * Mosquitto's command-line clients ({@code mosquitto_sub}, {@code mosquitto_pub}, Debian
 * {@code mosquitto-clients}) with {@code --cafile} through the gateway's TLS listener
 * ({@code --tls-listen --tls-cert --tls-key}, set up as {@code MqttGateway} does) to a plain
 * Moquette broker: every message of QoS 0, 1 and 2 arrives once, in order, byte for byte.
 * {@code --insecure} only skips the host-name check (the test certificate does not name
 * 127.0.0.1); the chain is verified against the CA file.
 */
@Timeout(60)
class MosquittoTlsIT {
    private static final int MESSAGES = 50;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void everyMessageArrivesExactlyOnceThroughTheTlsListener(int qos) throws Exception {
        Path sub = ExternalTool.require("mosquitto-clients", "mosquitto_sub");
        Path pub = ExternalTool.require("mosquitto-clients", "mosquitto_pub");
        Path ca = copy("ca-cert.pem");
        Path cert = copy("broker-chain.pem");
        Path key = copy("broker-key-pkcs8.pem");
        try (EmbeddedMoquette broker = EmbeddedMoquette.start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {
                "--server", "a=127.0.0.1:" + broker.address().getPort(), "--listen", "127.0.0.1:0",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--health", "none", "--no-stats"});
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start()) {
                String port = String.valueOf(lb.frontend("mqtts").boundAddresses().get(0).getPort());
                List<String> tls = List.of("-h", "127.0.0.1", "-p", port, "--cafile", ca.toString(), "--insecure");
                String topic = "tls/qos" + qos;

                List<String> subCommand = new ArrayList<>(List.of(sub.toString(), "-i", "sub-" + qos, "-t", topic,
                        "-q", String.valueOf(qos), "-C", String.valueOf(MESSAGES), "-W", "30"));
                subCommand.addAll(tls);
                Path received = dir.resolve("received-" + qos);
                Process subscriber = new ProcessBuilder(subCommand).redirectErrorStream(true)
                        .redirectOutput(received.toFile()).start();
                try {
                    Await.until("the subscriber to be connected through the gateway", java.time.Duration.ofSeconds(10),
                            () -> lb.stats().frontend("mqtts").tls().handshakes() >= 1);
                    Thread.sleep(500); // its CONNECT and SUBSCRIBE follow the handshake

                    StringBuilder lines = new StringBuilder();
                    List<String> sent = new ArrayList<>();
                    for (int i = 0; i < MESSAGES; i++) {
                        String m = "qos" + qos + " message " + i + " \u00e9\u00e8 " + "x".repeat(i * 7);
                        sent.add(m);
                        lines.append(m).append('\n');
                    }
                    List<String> pubCommand = new ArrayList<>(List.of(pub.toString(), "-i", "pub-" + qos, "-t", topic,
                            "-q", String.valueOf(qos), "-l"));
                    pubCommand.addAll(tls);
                    ExternalTool.Result published = ExternalTool.run(pubCommand, lines.toString(), 30);
                    assertEquals(0, published.exitCode(), published.output());

                    assertTrue(subscriber.waitFor(30, TimeUnit.SECONDS), "the subscriber got its " + MESSAGES);
                    List<String> got = Files.readAllLines(received, StandardCharsets.UTF_8);
                    assertEquals(0, subscriber.exitValue(), String.join("\n", got));
                    assertEquals(sent, got, "count, order and content");
                } finally {
                    subscriber.destroy();
                }
                assertTrue(lb.stats().frontend("mqtts").tls().handshakes() >= 2, "both clients came over TLS");
            }
        }
    }


    private Path copy(String name) throws IOException {
        try (InputStream in = MosquittoTlsIT.class.getResourceAsStream("/tls/" + name)) {
            if (in == null) {
                throw new IOException("no test resource tls/" + name);
            }
            Path file = dir.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }
}
