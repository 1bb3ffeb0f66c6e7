package lb.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.stats.http.PrometheusText;
import lb.core.stats.http.StatsPage;
import lb.core.stats.http.StatsJson;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.FakeServer;
import lb.core.testing.JsonSyntax;

/**
 * A server slow to complete the handshake shows in connect time, and a client waiting behind a
 * full server shows in queue time: in the snapshot, in /metrics' buckets and in the JSON.
 * Bounds are generous (a shared machine): the point is where the time lands, not its speed.
 */
class ConnectAndQueueTimesTest {
    private static final long MS = 1_000_000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aClientWaitingBehindAFullServerShowsUpInQueueTime() throws Exception {
        try (FakeServer server = FakeServer.echo("s");
             LoadBalancer lb = Balancers.start(new EventLog(),
                     b -> b.server("s", server.address(), o -> o.maxConnections(1)).queueTimeout(Duration.ofSeconds(30)))) {
            Socket first = Clients.connect(Balancers.address(lb));
            echo(first);
            long connectedAt = System.nanoTime();
            try (Socket second = Clients.connect(Balancers.address(lb))) {
                Await.until("the second client queued", WAIT, () -> lb.stats().backend("b").queue().queued() == 1);
                Thread.sleep(300);
                first.close();
                echo(second);
                long waitedAtMost = System.nanoTime() - connectedAt;

                BackendStats b = lb.stats().backend("b");
                DurationHistogram queue = b.queueTime();
                assertEquals(1, queue.count(), "only the client that waited is timed");
                assertTrue(queue.maxNanos() >= 300 * MS && queue.maxNanos() <= waitedAtMost,
                        "waited " + queue.maxNanos() / MS + " ms");
                assertEquals(1, queue.counts().get(DurationHistogram.bucketOf(queue.maxNanos())));
                assertEquals(2, b.connectTime().count(), "both clients were connected");

                Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(PrometheusText.render(lb.stats()));
                assertEquals(0, ExpositionFormat.value(m, "lb_backend_queue_time_seconds_bucket", "backend", "b",
                        "le", "0.25"));
                assertEquals(1, ExpositionFormat.value(m, "lb_backend_queue_time_seconds_bucket", "backend", "b",
                        "le", "+Inf"));
                assertEquals(1, ExpositionFormat.value(m, "lb_backend_queue_time_seconds_count", "backend", "b"));
                assertEquals(queue.maxNanos() / 1e9,
                        ExpositionFormat.value(m, "lb_backend_queue_time_max_seconds", "backend", "b"), 1e-9);

                Map<String, Object> json = JsonSyntax.object(JsonSyntax.array(
                        JsonSyntax.object(JsonSyntax.parse(StatsJson.render(lb.stats()))).get("backends")).get(0));
                Map<String, Object> queueJson = JsonSyntax.object(json.get("queueTime"));
                assertEquals(1.0, queueJson.get("count"));
                double p99 = (Double) queueJson.get("p99Nanos");
                assertTrue(p99 > 250 * MS && p99 <= queue.maxNanos(), "p99 " + p99);

                String page = StatsPage.render(lb.stats(), Duration.ZERO);
                assertTrue(page.contains("p50, p90 and p99 are estimated from histogram buckets"), "says so");
                assertTrue(page.contains("<tr data-timing=\"queue\"><td>backend queue (waits of those let go)</td><td>1</td>"),
                        "the queue's row counts the one wait");
            }
        }
    }

    @Test
    void aServerSlowToCompleteTheHandshakeShowsUpInConnectTime() throws Exception {
        try (ServerSocketChannel slow = ServerSocketChannel.open()) {
            // A listener with its one-slot backlog filled drops SYNs; the balancer's SYN is
            // resent about a second later, by when a slot was freed.
            slow.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<Socket> fillers = Clients.fillAcceptQueue(slow);
            InetSocketAddress target = (InetSocketAddress) slow.getLocalAddress();
            try (LoadBalancer lb = Balancers.start(new EventLog(),
                    b -> b.server("s", target).connectTimeout(Duration.ofSeconds(15)));
                 Socket client = Clients.connect(Balancers.address(lb))) {
                Thread.sleep(300);
                try (SocketChannel made = slow.accept()) {
                    Await.until("connected", WAIT, () -> lb.stats().backend("b").connectTime().count() == 1);
                }
                BackendStats b = lb.stats().backend("b");
                DurationHistogram connect = b.connectTime();
                assertTrue(connect.maxNanos() >= 300 * MS && connect.maxNanos() < 15_000 * MS,
                        "connected after " + connect.maxNanos() / MS + " ms");
                assertEquals(connect, b.server("s").connectTime(), "one attempt: the server's time is the backend's");
                long p50 = connect.percentileNanos(0.5);
                int bucket = DurationHistogram.bucketOf(connect.maxNanos());
                assertTrue(p50 > DurationHistogram.upperBoundNanos(bucket - 1) && p50 <= connect.maxNanos(),
                        "p50 " + p50);
                Map<String, ExpositionFormat.Family> m = ExpositionFormat.parse(PrometheusText.render(lb.stats()));
                assertEquals(0, ExpositionFormat.value(m, "lb_server_connect_time_seconds_bucket",
                        "backend", "b", "server", "s", "le", "0.25"));
                assertEquals(1, ExpositionFormat.value(m, "lb_server_connect_time_seconds_count",
                        "backend", "b", "server", "s"));
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    private static void echo(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(Clients.ascii("ping\n"));
        assertEquals("ping", Clients.readLine(s.getInputStream()));
    }
}
