package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

class ForwardingTest {

    @Test
    void bytesSentThroughTheBalancerComeBackFromAnEchoServer() throws Exception {
        try (FakeServer echo = FakeServer.echo("a");
             LoadBalancer lb = LoadBalancer.builder()
                     .eventLoops(2)
                     .backend("b", b -> b.server("a", echo.address()))
                     .frontend("f", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).backend("b"))
                     .build().start()) {
            InetSocketAddress at = lb.frontend("f").boundAddresses().get(0);
            byte[] payload = new byte[300_000];
            new Random(1).nextBytes(payload);
            try (Socket s = Clients.connect(at)) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(payload);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                byte[] back = Clients.readExactly(in, payload.length);
                writer.join();
                assertArrayEquals(payload, back);
            }
            assertEquals(1, echo.accepted());
        }
    }
}
