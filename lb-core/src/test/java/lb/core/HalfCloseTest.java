package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;

/** A half-close passes through in either direction, and the other direction keeps working. */
class HalfCloseTest {

    @Test
    void clientFinishesSendingAndStillGetsTheServersAnswer() throws Exception {
        EventLog log = new EventLog();
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", (java.net.InetSocketAddress) server.getLocalSocketAddress()))) {
            CompletableFuture<byte[]> serverSaw = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    byte[] request = s.getInputStream().readAllBytes(); // until the client's FIN
                    s.getOutputStream().write(Clients.ascii("answer to " + new String(request)));
                    return request;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket client = Clients.connect(Balancers.address(lb))) {
                client.getOutputStream().write(Clients.ascii("question"));
                client.shutdownOutput();
                byte[] answer = client.getInputStream().readAllBytes();
                assertEquals("answer to question", new String(answer));
            }
            assertArrayEquals(Clients.ascii("question"), serverSaw.get(5, TimeUnit.SECONDS));
            TunnelEvent e = log.next();
            assertEquals(Termination.CLIENT_CLOSED, e.termination());
            assertEquals(8, e.bytesFromClient());
            assertEquals(18, e.bytesFromServer());
        }
    }

    @Test
    void serverFinishesSendingAndStillGetsTheClientsAnswer() throws Exception {
        EventLog log = new EventLog();
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(log, b -> b.server("s", (java.net.InetSocketAddress) server.getLocalSocketAddress()))) {
            CompletableFuture<String> serverGot = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write(Clients.ascii("bye"));
                    s.shutdownOutput();
                    return new String(s.getInputStream().readAllBytes());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket client = Clients.connect(Balancers.address(lb))) {
                InputStream in = client.getInputStream();
                assertEquals("bye", new String(in.readAllBytes()), "data, then the server's FIN");
                client.getOutputStream().write(Clients.ascii("ack"));
                client.shutdownOutput();
            }
            assertEquals("ack", serverGot.get(5, TimeUnit.SECONDS));
            assertEquals(Termination.SERVER_CLOSED, log.next().termination());
        }
    }

    /**
     * A protocol whose framing says a server's end ends the conversation (MQTT): the client,
     * which never closes its socket, still gets every byte, then the end; the tunnel ends at
     * once (under a clock that never moves, so no timeout can be what ended it).
     */
    @Test
    void aServerEndEndsTheTunnelWhenTheFramingSaysSoEvenIfTheClientNeverCloses() throws Exception {
        EventLog log = new EventLog();
        byte[] goodbye = CleanEndTest.packet(0x30, 5);
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(log, b -> b.clock(() -> 1_000_000_000L),
                     be -> be.server("s", (java.net.InetSocketAddress) server.getLocalSocketAddress()),
                     f -> f.keyExtractor(new CleanEndTest.LengthPrefixed() {
                         @Override
                         public boolean serverEndEndsTunnel() {
                             return true;
                         }
                     }));
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(CleanEndTest.packet(0x10, 3));
            try (Socket s = server.accept()) {
                Clients.readExactly(s.getInputStream(), 5);
                s.getOutputStream().write(goodbye);
            }
            assertArrayEquals(goodbye, client.getInputStream().readAllBytes(), "every byte, then the end");
            TunnelEvent e = log.next();
            assertEquals(Termination.SERVER_CLOSED, e.termination());
            assertEquals(goodbye.length, e.bytesFromServer());
        }
    }

    /**
     * The half-close timeout measures silence, not time since the FIN: a server streaming for a
     * minute of (driven) time after the client's FIN, under a 30 s timeout, loses nothing; once
     * it falls silent for longer than the timeout, the tunnel ends with HALF_CLOSE_TIMEOUT.
     */
    @Test
    void aServerStreamingLongAfterTheClientsFinIsNeverCut() throws Exception {
        java.util.concurrent.atomic.AtomicLong nowNs = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        long second = 1_000_000_000L;
        int chunks = 13;
        byte[] chunk = new byte[1024];
        java.util.Arrays.fill(chunk, (byte) 'z');
        EventLog log = new EventLog();
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(log, b -> b.clock(nowNs::get),
                     be -> be.server("s", (java.net.InetSocketAddress) server.getLocalSocketAddress()),
                     f -> f.halfCloseTimeout(java.time.Duration.ofSeconds(30)));
             Socket client = Clients.connect(Balancers.address(lb))) {
            client.setSoTimeout(10_000);
            try (Socket s = server.accept()) {
                client.getOutputStream().write(Clients.ascii("stream please"));
                client.shutdownOutput();
                assertEquals("stream please", new String(s.getInputStream().readAllBytes()));
                InputStream in = client.getInputStream();
                for (int i = 0; i < chunks; i++) {
                    s.getOutputStream().write(chunk);
                    assertArrayEquals(chunk, Clients.readExactly(in, chunk.length), "chunk " + i);
                    nowNs.addAndGet(5 * second); // 60 s in all, never 30 s of silence
                }
                assertEquals(0, log.size(), "the tunnel is still open");
                nowNs.addAndGet(31 * second);
                TunnelEvent e = log.next();
                assertEquals(Termination.HALF_CLOSE_TIMEOUT, e.termination());
                assertEquals(chunks * chunk.length, e.bytesFromServer());
            }
        }
    }
}
