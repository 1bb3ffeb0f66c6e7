package lb.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.testing.Await;
import lb.core.testing.FakeServer;

/**
 * What an idle TLS tunnel costs next to a plain one: the same number of idle clients (in a
 * process of their own, so this JVM holds only the balancer's side) through a plain and a TLS
 * frontend of one balancer. No pooled buffer may stay with an idle TLS tunnel.
 *
 * <p>Measured on JDK 17 (TLS 1.3, the EC test certificate, clients that send nothing after the
 * handshake): about 5.8-6.1 KB, nearly all of it the JDK's own engine and session (see the TLS
 * section of the module README); the balancer's part (its TLS end, layer and facts) is about
 * 180 B. The bound leaves room for measuring noise, not for another copy of anything.
 */
class TlsIdleMemoryTest {
    private static final int CLIENTS = 300;
    /** Above the measured 6.1 KB by the noise of a few runs and a margin: a 1 KB regression fails. */
    private static final int MAX_TLS_OVERHEAD = 6_800;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void anIdleTlsTunnelHoldsNoBufferAndOnlyTheTlsStateOnTopOfAPlainOne() throws Exception {
        try (FakeServer sink = FakeServer.start("s", FakeServer.Mode.SINK);
             LoadBalancer lb = LoadBalancer.builder().eventLoops(2)
                     .backend("b", b -> b.server("s", sink.address()))
                     .frontend("plain", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("b"))
                     .frontend("tls", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("b")
                             .tls(TlsSettings.of(TestKeys.DEVICES)))
                     .build().start()) {
            // A first round each makes what stays with the loops, not the tunnels: classes, the
            // loops' TLS read buffers, and the pooled record buffers, which are on the heap.
            heapPerTunnel(lb, "plain", null);
            heapPerTunnel(lb, "tls", TestKeys.file("ca-cert.pem"));
            long plain = heapPerTunnel(lb, "plain", null);
            long tls = heapPerTunnel(lb, "tls", TestKeys.file("ca-cert.pem"));
            System.out.printf("heap per idle tunnel: plain %d B, TLS %d B (%+d B)%n", plain, tls, tls - plain);
            assertTrue(tls - plain < MAX_TLS_OVERHEAD, "an idle TLS tunnel holds only the JDK's engine and session on top of"
                    + " a plain one, no buffer: " + tls + " B vs " + plain + " B");
        }
    }

    private static long heapPerTunnel(LoadBalancer lb, String frontend, Path ca) throws Exception {
        InetSocketAddress at = lb.frontend(frontend).boundAddresses().get(0);
        long before = usedHeapAfterGc();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", TestKeys.file("IdleClients.java").toString(),
                at.getHostString(), String.valueOf(at.getPort()), String.valueOf(CLIENTS)));
        if (ca != null) {
            command.add(ca.toString());
        }
        Process clients = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "the client process started its clients");
            Await.equal(CLIENTS, WAIT, () -> lb.stats().process().connections());
            Await.equal(0, WAIT, () -> lb.stats().loops().stream().mapToInt(l -> l.buffersInUse()).sum());
            return (usedHeapAfterGc() - before) / CLIENTS;
        } finally {
            clients.getOutputStream().close();
            if (!clients.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                clients.destroyForcibly();
            }
            Await.equal(0, WAIT, () -> lb.stats().process().connections());
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
