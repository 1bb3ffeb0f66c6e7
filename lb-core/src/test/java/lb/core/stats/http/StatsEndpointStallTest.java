package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;

/**
 * Clients that connect and then stall, trickle or flood cannot keep the endpoint from
 * answering others: each costs one connection until its deadline, connections beyond the
 * bound are refused at once, and every refusal is counted. Wall-clock bounds are generous on
 * purpose: the stall being guarded against lasts as long as the hostile client likes.
 */
@Timeout(60)
class StatsEndpointStallTest {
    private static final Duration DEADLINE = Duration.ofMillis(300);
    private static final long ANSWER_BOUND_MS = 1_000;
    private static final String USER = "ops";
    private static final String PASSWORD = "s3cret";

    private static FakeServer upstream;
    private static LoadBalancer lb;

    @BeforeAll
    static void startBalancer() {
        upstream = FakeServer.echo("echo");
        lb = Balancers.start(null, b -> b.server("echo-1", upstream.address()));
    }

    @AfterAll
    static void stopBalancer() {
        lb.close();
        upstream.close();
    }

    @Test
    void aSilentClientDelaysNoScrapeAndIsClosedAtItsDeadline() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).readHeaderTimeout(DEADLINE).start();
             Socket silent = Clients.connect(stats.address())) {
            silent.getOutputStream().write('G');
            long sentNs = System.nanoTime();
            scrapeTwentyTimes(stats, null);
            long closedAfterMs = awaitClosedByServer(silent, sentNs);
            assertTrue(closedAfterMs >= DEADLINE.toMillis() - 50, "not before its deadline: " + closedAfterMs + " ms");
            assertEquals(1, stats.refusals().readHeaderTimeouts());
        }
    }

    @Test
    void aSilentClientDelaysNoScrapeWithBasicAuthOn() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).basicAuth(USER, PASSWORD)
                .readHeaderTimeout(DEADLINE).start();
             Socket silent = Clients.connect(stats.address())) {
            silent.getOutputStream().write('G');
            long sentNs = System.nanoTime();
            scrapeTwentyTimes(stats, USER + ":" + PASSWORD);
            Answer anonymous = fetch(stats, "GET /metrics HTTP/1.1\r\nHost: stats\r\n\r\n");
            assertEquals(401, anonymous.status());
            assertTrue(anonymous.text().contains("WWW-Authenticate: Basic realm="), anonymous.text());
            assertFalse(anonymous.text().contains("lb_"), "no data before auth");
            awaitClosedByServer(silent, sentNs);
            assertEquals(1, stats.refusals().readHeaderTimeouts());
            assertEquals(1, stats.refusals().unauthorized());
        }
    }

    @Test
    void aTricklingClientIsCutAtItsDeadlineNotKeptAliveByEachByte() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).readHeaderTimeout(DEADLINE).start();
             Socket trickle = Clients.connect(stats.address())) {
            byte[] request = Clients.ascii("GET /metrics HTTP/1.1\r\nHost: stats\r\n\r\n");
            long startNs = System.nanoTime();
            OutputStream out = trickle.getOutputStream();
            try {
                for (byte b : request) { // 38 bytes, 50 ms apart: about 2 s, far past the deadline
                    out.write(b);
                    Thread.sleep(50);
                }
            } catch (SocketException closedUnderneath) {
                // the server closed it mid-request, as it should
            }
            String seen = readUntilClosed(trickle);
            assertFalse(seen.startsWith("HTTP/1.1 200"), "no answer to a head that took too long: " + seen);
            assertEquals(1, stats.refusals().readHeaderTimeouts());
            assertTrue(msSince(startNs) < 5_000);
        }
    }

    @Test
    void beyondTheConnectionBoundNewConnectionsAreRefusedAndSlotsFreeAtTheDeadline() throws Exception {
        int bound = 4;
        Duration deadline = Duration.ofSeconds(2); // leaves room to see a refusal come well before it
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).maxConnections(bound)
                .readHeaderTimeout(deadline).start()) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < bound + 6; i++) {
                    silent.add(Clients.connect(stats.address()));
                }
                Await.equal(6L, Duration.ofSeconds(2), () -> stats.refusals().overLimit());

                long refusedNs = System.nanoTime();
                try (Socket fresh = Clients.connect(stats.address())) {
                    try {
                        fresh.getOutputStream().write(Clients.ascii("GET /metrics HTTP/1.1\r\nHost: stats\r\n\r\n"));
                    } catch (SocketException resetAlready) {
                        // the refusal can arrive before the request is written
                    }
                    assertEquals("", readUntilClosed(fresh), "refused without an answer");
                }
                assertTrue(msSince(refusedNs) < deadline.toMillis() / 2, "refused at once, not at a deadline");
                assertEquals(7, stats.refusals().overLimit());

                for (Socket s : silent) {
                    readUntilClosed(s); // held ones close at the deadline, refused ones at once
                }
                Await.equal(4L, Duration.ofSeconds(5), () -> stats.refusals().readHeaderTimeouts());
                assertEquals(200, timedScrape(stats, null).status(), "answers once slots are free");
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aHeadLargerThanTheCapIsAnsweredWithAnErrorAndClosed() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            StringBuilder head = new StringBuilder("GET /metrics HTTP/1.1\r\nHost: stats\r\n");
            while (head.length() <= StatsConnection.HEAD_CAP + 1024) {
                head.append("X-Filler-").append(head.length()).append(": ").append("a".repeat(100)).append("\r\n");
            }
            Answer a = fetch(stats, head.append("\r\n").toString());
            assertTrue(a.status() == 431 || a.status() == 400, a.text());
            assertFalse(a.text().contains("lb_"));
            assertEquals(1, stats.refusals().malformed());
            assertEquals(200, timedScrape(stats, null).status(), "the next client is served");
        }
    }

    @Test
    void aMalformedRequestGets400() throws Exception {
        try (StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).start()) {
            for (String bad : new String[] {"GET /metrics\r\n\r\n", "GET /metrics HTTP/1.1\r\nHost : stats\r\n\r\n",
                    "GET  /metrics HTTP/1.1\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"}) {
                assertEquals(400, fetch(stats, bad).status(), bad);
            }
            assertEquals(4, stats.refusals().malformed());
        }
    }

    private static void scrapeTwentyTimes(StatsEndpoint stats, String credentials) throws IOException {
        for (int i = 0; i < 20; i++) {
            Answer a = timedScrape(stats, credentials);
            assertEquals(200, a.status(), a.text());
            assertTrue(a.text().contains("lb_frontend_connections_total"));
        }
    }

    /** GET /metrics, failing if the answer takes longer than {@link #ANSWER_BOUND_MS}. */
    private static Answer timedScrape(StatsEndpoint stats, String credentials) throws IOException {
        String auth = credentials == null ? "" : "Authorization: Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)) + "\r\n";
        long startNs = System.nanoTime();
        Answer a = fetch(stats, "GET /metrics HTTP/1.1\r\nHost: stats\r\n" + auth + "\r\n");
        long ms = msSince(startNs);
        assertTrue(ms < ANSWER_BOUND_MS, "answered in " + ms + " ms");
        return a;
    }

    /** Sends {@code request} on a fresh connection and reads until the server closes it. */
    private static Answer fetch(StatsEndpoint stats, String request) throws IOException {
        try (Socket s = Clients.connect(stats.address())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(Clients.ascii(request));
            String text = readUntilClosed(s);
            assertTrue(text.startsWith("HTTP/1.1 "), "a status line: " + text);
            return new Answer(Integer.parseInt(text.substring(9, 12)), text);
        }
    }

    /** Waits for the server to close {@code s}; returns milliseconds since {@code sinceNs}. */
    private static long awaitClosedByServer(Socket s, long sinceNs) throws IOException {
        assertEquals("", readUntilClosed(s), "closed without an answer");
        return msSince(sinceNs);
    }

    /** Everything the server sends until it closes, failing if it keeps the connection 5 s more. */
    private static String readUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        InputStream in = s.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            fail("the server kept the connection open; received so far: " + text);
        } catch (SocketException reset) {
            // refused (reset on accept) or cut off: closed all the same
        }
        return text.toString();
    }

    private static long msSince(long startNs) {
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    private record Answer(int status, String text) {
    }
}
