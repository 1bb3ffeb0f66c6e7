package lb.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.stats.http.PrometheusText;
import lb.core.stats.http.StatsJson;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.FakeServer;
import lb.core.testing.JsonSyntax;

/** The most tunnels at once, per frontend, backend, server and process, stays after they close. */
class PeakConnectionsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void peaksRemainAfterTheTunnelsClose() throws Exception {
        try (FakeServer server = FakeServer.echo("s");
             LoadBalancer lb = Balancers.start(new EventLog(), b -> b.server("s", server.address()))) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket c = Clients.connect(Balancers.address(lb));
                clients.add(c);
                echo(c);
            }
            for (Socket c : clients) {
                c.close();
            }
            Await.until("every tunnel closed", WAIT, () -> lb.stats().process().connections() == 0
                    && lb.stats().backend("b").traffic().connections() == 0);
            try (Socket later = Clients.connect(Balancers.address(lb))) {
                echo(later); // one at a time does not lower the peak
            }
            StatsSnapshot s = lb.stats();
            assertEquals(3, s.frontend("f").traffic().peakConnections());
            assertEquals(3, s.backend("b").traffic().peakConnections());
            assertEquals(3, s.backend("b").server("s").traffic().peakConnections());
            assertEquals(3, s.process().peakConnections());

            Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(PrometheusText.render(s));
            assertEquals(3, ExpositionFormat.value(m, "lb_frontend_connections_peak", "frontend", "f"));
            assertEquals(3, ExpositionFormat.value(m, "lb_backend_connections_peak", "backend", "b"));
            assertEquals(3, ExpositionFormat.value(m, "lb_server_connections_peak", "backend", "b", "server", "s"));
            assertEquals(3, ExpositionFormat.value(m, "lb_connections_peak"));

            Map<String, Object> json = JsonSyntax.object(JsonSyntax.parse(StatsJson.render(s)));
            Map<String, Object> process = JsonSyntax.object(json.get("process"));
            assertEquals(3.0, process.get("peakConnections"));
            Map<String, Object> frontend = JsonSyntax.object(JsonSyntax.array(json.get("frontends")).get(0));
            assertEquals(3.0, JsonSyntax.object(frontend.get("traffic")).get("peakConnections"));
            assertEquals(BuildInfo.current().version(), JsonSyntax.object(process.get("build")).get("version"));
            assertTrue((Double) process.get("startedAtMillis") <= s.takenAtMillis());
        }
    }

    private static void echo(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(Clients.ascii("ping\n"));
        assertEquals("ping", Clients.readLine(s.getInputStream()));
    }
}
