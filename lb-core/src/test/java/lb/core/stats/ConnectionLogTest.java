package lb.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.FakeServer;
import lb.core.testing.LineKey;

/** The connection log: its line, its escaping, and that it never holds up a loop. */
class ConnectionLogTest {
    /** 2026-11-03T10:15:42.123Z */
    private static final long ACCEPTED_AT_MILLIS = 1_793_700_942_123L;
    private static final String LINE = "127\\.0\\.0\\.1:\\d+ \\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] "
            + "f b/a \\d+/0/\\d+/\\d+ 15/17 client_closed attempts=1 key=\"sensor-42\"";

    @Test
    void theBuilderSwitchWritesOneLinePerTunnelToTheConnectionsLogger() throws Exception {
        Logger jul = Logger.getLogger(ConnectionLog.LOGGER_NAME); // held: the logging system keeps loggers weakly
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = jul.getUseParentHandlers();
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.TAG);
             LoadBalancer lb = Balancers.start(null, global -> global.connectionLog(true),
                     b -> b.server("a", a.address()), f -> f.keyExtractor(new LineKey()))) {
            try (Socket s = Clients.connect(Balancers.address(lb))) {
                s.getOutputStream().write(Clients.ascii("sensor-42\nhello"));
                assertEquals("a", Clients.readLine(s.getInputStream()));
                Clients.readExactly(s.getInputStream(), 15);
            }
            String line = lines.poll(10, TimeUnit.SECONDS);
            assertTrue(line != null && line.matches(LINE), "tcplog line: " + line);
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(parents);
        }
    }

    @Test
    void linesShowStagesNotReachedAndNoServer() {
        assertEquals("10.0.0.7:4000 [2026-11-03T10:15:42.123Z] mqtt -/- 5000/-1/-1/5000 0/0 inspect_timeout attempts=0",
                ConnectionLogLine.format(event(null, null, null, 5_000_000_000L, -1, -1,
                        5_000_000_000L, Termination.INSPECT_TIMEOUT, null)));
        assertEquals("10.0.0.7:4000 [2026-11-03T10:15:42.123Z] mqtt brokers/<NOSRV> 2/0/-1/2 0/0 no_server attempts=0"
                        + " key=\"c1\" detail=\"no usable server\"",
                ConnectionLogLine.format(event("brokers", null, "c1", 2_500_000, 0, -1,
                        2_500_000, Termination.NO_SERVER, "no usable server")));
    }

    @Test
    void clientChosenKeysCannotForgeLines() {
        String hostile = "x\" termination=\"fake\nforged line\r\u0000\u2028\\";
        String line = ConnectionLogLine.format(event("b", "s", hostile, 1, 0, 1, 1, Termination.CLIENT_CLOSED, null));
        assertTrue(line.endsWith(" key=\"x\\\" termination=\\\"fake\\nforged line\\r\\u0000\\u2028\\\\\""), line);
        assertEquals(1, line.lines().count());

        String longKey = "k".repeat(1000);
        String cut = ConnectionLogLine.format(event("b", "s", longKey, 1, 0, 1, 1, Termination.CLIENT_CLOSED, null));
        assertTrue(cut.endsWith(" key=\"" + "k".repeat(ConnectionLogLine.MAX_QUOTED) + "...\""), cut);
    }

    @Test
    void ipv6ClientsAreBracketed() {
        TunnelEvent e = new TunnelEvent(new InetSocketAddress("::1", 5000), "f", null, null, null,
                0, -1, -1, -1, 0, 0, 0, 0, Termination.CLIENT_ABORTED, null, null);
        assertTrue(ConnectionLogLine.format(e).startsWith("[0:0:0:0:0:0:0:1]:5000 [1970-01-01T00:00:00.000Z] f -/-"));
    }

    @Test
    void aStalledLoggerNeverBlocksTheCallerAndDropsAreCounted() throws Exception {
        RecordingLogger logger = new RecordingLogger(true, true);
        ConnectionLog log = new ConnectionLog(logger, 4);
        TunnelEvent e = event("b", "s", "k", 1, 0, 1, 1, Termination.CLIENT_CLOSED, null);
        log.onTunnelClosed(e);
        assertTrue(logger.entered.await(10, TimeUnit.SECONDS), "the writer took the first event");
        long start = System.nanoTime();
        for (int i = 0; i < 9; i++) {
            log.onTunnelClosed(e); // four fit in the queue, five are dropped
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "offering never waits");
        assertEquals(5, log.dropped());

        logger.release.countDown();
        logger.next(); // the first event
        assertEquals("connection_log_dropped count=5 total=5", logger.next());
        for (int i = 0; i < 4; i++) {
            assertTrue(logger.next().endsWith("client_closed attempts=1 key=\"k\""));
        }
    }

    @Test
    void nothingIsQueuedWhileInfoIsOff() throws Exception {
        RecordingLogger logger = new RecordingLogger(false, false);
        ConnectionLog log = new ConnectionLog(logger, 1);
        for (int i = 0; i < 10; i++) {
            log.onTunnelClosed(event("b", "s", "k", 1, 0, 1, 1, Termination.CLIENT_CLOSED, null));
        }
        assertEquals(0, log.dropped(), "not even offered");
        Thread.sleep(50);
        assertEquals(0, logger.size());
    }

    private static TunnelEvent event(String backend, String server, String key, long inspectNs, long queueNs,
                                     long connectNs, long totalNs, Termination end, String detail) {
        return new TunnelEvent(new InetSocketAddress("10.0.0.7", 4000), "mqtt", backend, server, key,
                ACCEPTED_AT_MILLIS, inspectNs, queueNs, connectNs, totalNs, 0, 0, server == null ? 0 : 1, end, detail, null);
    }
}
