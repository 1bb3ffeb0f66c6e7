package lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.core.model.AcceptMode;
import lb.core.model.Termination;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/** Shutdown stops accepting at once, lets tunnels finish within the grace period, then closes. */
class ShutdownTest {

    @Test
    void establishedTunnelsFinishWithinTheGracePeriodAndNewClientsAreRefused() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo")) {
            LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()));
            InetSocketAddress at = Balancers.address(lb);
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                clients.add(Clients.connect(at));
            }
            Await.equal(5, Duration.ofSeconds(5), echo::openConnections);
            long start = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> lb.shutdown(Duration.ofSeconds(20)));
            Await.until("listener closed", Duration.ofSeconds(5), () -> refuses(at));
            for (Socket c : clients) {
                c.getOutputStream().write('s');
                assertEquals('s', c.getInputStream().read(), "established tunnels keep working");
            }
            assertFalse(stopping.isDone());
            for (Socket c : clients) {
                c.close();
            }
            stopping.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "returned once drained");
            assertEquals(0, log.count(Termination.SHUTDOWN), "nothing was cut");
            assertTrue(log.count(Termination.CLIENT_CLOSED) >= 5);
        }
    }

    @Test
    void tunnelsStillOpenWhenTheGraceEndsAreClosedWithShutdown() throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo")) {
            LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()));
            try (Socket c = Clients.connect(Balancers.address(lb))) {
                Await.equal(1, Duration.ofSeconds(5), echo::openConnections);
                long start = System.nanoTime();
                lb.shutdown(Duration.ofMillis(300));
                long took = System.nanoTime() - start;
                assertTrue(took >= Duration.ofMillis(300).toNanos(), "waited out the grace: " + took);
                assertEquals(Termination.SHUTDOWN, log.next().termination());
                assertEquals(-1, c.getInputStream().read());
            }
        }
    }

    @Test
    void aBusyPortFailsStartNamingTheAddress() throws Exception {
        try (FakeServer taken = FakeServer.echo("taken")) {
            LoadBalancer lb = LoadBalancer.builder()
                    .backend("b", b -> b.server("s", taken.address()))
                    .frontend("f", f -> f.listen(taken.address()).backend("b"))
                    .acceptMode(AcceptMode.HANDOFF)
                    .build();
            Exception e = assertThrows(RuntimeException.class, lb::start);
            assertTrue(e.getMessage().contains(String.valueOf(taken.address().getPort())), e.getMessage());
        }
    }

    private static boolean refuses(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 1_000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
