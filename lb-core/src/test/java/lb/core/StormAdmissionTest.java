package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.stats.BackendStats;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.RecordingServer;

/**
 * Storm admission: a server (or a whole backend) is sent new connections no faster than its
 * connect rate; clients over it wait in the backend queue, within its timeout.
 */
class StormAdmissionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aServersNewConnectionsAreSpacedAtItsRateAndTheRestWaitInTheQueue() throws Exception {
        int clients = 30;
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = Balancers.start(null, b -> b.server("s", server.address(), o -> o.maxConnectRate(50)))) {
            List<Socket> sockets = connect(lb, clients);
            Await.equal(clients, WAIT, () -> server.connections().size());
            long[] at = server.connections().stream().mapToLong(RecordingServer.Connection::acceptedAtNanos).sorted().toArray();
            long spreadMs = (at[clients - 1] - at[0]) / 1_000_000;
            // 50 a second with a burst of one: 20 ms apart
            assertTrue(spreadMs >= (clients - 2) * 20 - 20, "accepted over " + spreadMs + " ms");
            for (int k = 25; k < clients; k++) {
                assertTrue((at[k] - at[k - 25]) / 1_000_000 >= 24 * 20 - 20, "no 25 within " + (at[k] - at[k - 25]) / 1_000_000 + " ms");
            }
            BackendStats stats = lb.stats().backend("b");
            assertEquals(50, stats.server("s").maxConnectRate());
            assertTrue(stats.server("s").connectsDelayed() >= clients - 2, "waited: " + stats.server("s").connectsDelayed());
            close(sockets);
        }
    }

    @Test
    void aBackendWideRateSpansItsServers() throws Exception {
        int clients = 30;
        try (RecordingServer a = RecordingServer.start(new byte[0]);
             RecordingServer b = RecordingServer.start(new byte[0]);
             LoadBalancer lb = Balancers.start(null, be -> be.server("a", a.address()).server("b", b.address())
                     .maxConnectRate(50))) {
            List<Socket> sockets = connect(lb, clients);
            Await.equal(clients, WAIT, () -> a.connections().size() + b.connections().size());
            List<RecordingServer.Connection> all = new ArrayList<>(a.connections());
            all.addAll(b.connections());
            long[] at = all.stream().mapToLong(RecordingServer.Connection::acceptedAtNanos).sorted().toArray();
            assertTrue((at[clients - 1] - at[0]) / 1_000_000 >= (clients - 2) * 20 - 20, "spread over both servers");
            assertTrue(a.connections().size() > 5 && b.connections().size() > 5, "both served");
            BackendStats stats = lb.stats().backend("b");
            assertEquals(50, stats.queue().maxConnectRate());
            assertTrue(stats.queue().connectsDelayed() >= clients - 2, "waited: " + stats.queue().connectsDelayed());
            close(sockets);
        }
    }

    @Test
    void clientsStillWaitingWhenTheQueueTimeoutPassesAreRefused() throws Exception {
        int clients = 24;
        EventLog log = new EventLog();
        try (RecordingServer server = RecordingServer.start(new byte[0]);
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", server.address(), o -> o.maxConnectRate(10))
                     .queueTimeout(Duration.ofMillis(500)))) {
            List<Socket> sockets = connect(lb, clients);
            Await.until("every client served or refused", WAIT, () -> server.connections().size()
                    + lb.stats().backend("b").traffic().ends().count(Termination.QUEUE_TIMEOUT) == clients);
            int served = server.connections().size();
            // 10 a second for the half second the queue holds them, and the first at once
            assertTrue(served >= 5 && served <= 8, "served within the queue timeout: " + served);
            assertEquals(clients - served, lb.stats().backend("b").traffic().ends().count(Termination.QUEUE_TIMEOUT));
            close(sockets);
        }
    }

    private static List<Socket> connect(LoadBalancer lb, int n) {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sockets.add(Clients.connect(Balancers.address(lb)));
        }
        return sockets;
    }

    private static void close(List<Socket> sockets) throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
    }
}
