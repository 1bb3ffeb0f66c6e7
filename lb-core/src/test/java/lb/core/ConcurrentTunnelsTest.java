package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.core.engine.EventLoop;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/** A thousand tunnels open at once over two loops, each carrying its own stream. */
class ConcurrentTunnelsTest {
    private static final int TUNNELS = 1_000;
    private static final int ROUNDS = 8;
    private static final int CHUNK = 4 * 1024;

    @Test
    void aThousandConcurrentTunnelsEachGetTheirOwnBytesBack() throws Exception {
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(null, b -> b.server("echo", echo.address()))) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < TUNNELS; i++) {
                    clients.add(Clients.connect(Balancers.address(lb)));
                }
                Await.equal(TUNNELS, Duration.ofSeconds(10), echo::openConnections);
                for (EventLoop loop : EngineAccess.loops(lb).loops()) {
                    assertTrue(loop.load() > TUNNELS / 4, "both loops carry tunnels: loop " + loop.index()
                            + " has " + loop.load());
                }
                for (int round = 0; round < ROUNDS; round++) {
                    for (int i = 0; i < TUNNELS; i++) {
                        clients.get(i).getOutputStream().write(chunk(i, round));
                    }
                    for (int i = 0; i < TUNNELS; i++) {
                        assertArrayEquals(chunk(i, round), Clients.readExactly(clients.get(i).getInputStream(), CHUNK),
                                "tunnel " + i + " round " + round);
                    }
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            Await.equal(0, Duration.ofSeconds(10), () -> EngineAccess.loops(lb).tunnelCount());
            assertEquals(0, EngineAccess.loops(lb).buffersInUse());
        }
    }

    private static byte[] chunk(int tunnel, int round) {
        byte[] b = new byte[CHUNK];
        new Random(tunnel * 31L + round).nextBytes(b);
        return b;
    }
}
