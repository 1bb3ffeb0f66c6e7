package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.core.Backend;
import lb.core.LoadBalancer;
import lb.core.model.ServerState;
import lb.core.stats.HostPort;
import lb.core.stick.LruStickTable;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.ExternalTool;
import lb.core.testing.FakeServer;
import lb.core.testing.LineKey;

/**
 * The HTML page in a real headless browser while tunnels are open: the DOM it builds shows
 * every server with its state, and the kernel's accept queue of a frontend held at its limit
 * (five clients waiting; "n/a" where the platform does not show it); a screenshot is kept at
 * {@code target/stats-page.png}.
 * Needs {@code chromium} (or {@code chromium-browser}) on the PATH; skipped without it, failing under CI.
 */
class StatsPageBrowserTest {
    private static final Path SCREENSHOT = Path.of("target", "stats-page.png");
    private static final Pattern SERVER_ROW = Pattern.compile("<tr[^>]*data-server=\"([^\"]+)\"[^>]*data-status=\"(\\w+)\"");
    private static final Pattern ACCEPT_QUEUE = Pattern.compile("<span data-accept-queue=\"([^\"]+)\">([^<]*)</span>");

    @TempDir
    Path profile;

    @Test
    void thePageShowsEveryServerAndItsStateInABrowser() throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium", "chromium-browser");
        List<FakeServer> upstreams = new ArrayList<>();
        List<Socket> clients = new ArrayList<>();
        List<SocketChannel> waiting = new ArrayList<>();
        try {
            for (String name : List.of("broker-a", "broker-b", "broker-c", "broker-d", "ingest-1", "ingest-2")) {
                upstreams.add(FakeServer.start(name, FakeServer.Mode.TAG));
            }
            try (LoadBalancer lb = LoadBalancer.builder().eventLoops(2)
                    .backend("brokers", b -> b.server("broker-a", upstreams.get(0).address())
                            .server("broker-b", upstreams.get(1).address(), o -> o.weight(2).maxConnections(500))
                            .server("broker-c", upstreams.get(2).address())
                            .server("broker-d", upstreams.get(3).address(), o -> o.state(ServerState.MAINTENANCE))
                            .stickTable(new LruStickTable(200_000, Duration.ofMinutes(30), 128)))
                    .backend("telemetry", b -> b.server("ingest-1", upstreams.get(4).address())
                            .server("ingest-2", upstreams.get(5).address(), o -> o.state(ServerState.DRAIN)))
                    .frontend("mqtt", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("brokers")
                            .keyExtractor(new LineKey()))
                    .frontend("telemetry", f -> f.listen(Balancers.ANY_LOOPBACK_PORT).backend("telemetry")
                            .maxConnections(6))
                    .build().start();
                 StatsEndpoint stats = StatsEndpoint.serve(lb).port(0).refresh(Duration.ofSeconds(2)).start()) {
                InetSocketAddress mqtt = lb.frontend("mqtt").boundAddresses().get(0);
                InetSocketAddress telemetry = lb.frontend("telemetry").boundAddresses().get(0);
                for (int i = 0; i < 24; i++) {
                    clients.add(open(mqtt, "sensor-" + i + "\n" + "x".repeat(200 * i)));
                }
                Backend brokers = lb.backend("brokers");
                brokers.forceHealth(brokers.server("broker-c"), false, "connect refused (checked by test)");
                lb.stats(); // sees broker-c down: the page lists it under recent health changes
                for (int i = 0; i < 6; i++) {
                    clients.add(open(telemetry, "reading " + i + "\n"));
                }
                refuse(mqtt, LineKey.REJECT + "\n");
                // telemetry is at its limit: five more wait in the kernel's accept queue
                for (int i = 0; i < 5; i++) {
                    waiting.add(connectWithoutWaiting(telemetry));
                }
                boolean kernelShows = Files.isReadable(Path.of("/proc/net/tcp"));
                String acceptQueue = kernelShows ? "5" : "n/a";
                Await.until("the accept queue in the stats", Duration.ofSeconds(5), () -> lb.stats().frontend("telemetry")
                        .listeners().get(0).acceptQueue().equals(kernelShows ? OptionalLong.of(5) : OptionalLong.empty()));
                Thread.sleep(1_100); // so the page's rates cover a second

                String url = "http://127.0.0.1:" + stats.address().getPort() + "/";
                ExternalTool.Result dom = chromium(chromium, "--dump-dom", url);
                assertEquals(0, dom.exitCode(), dom.output());
                Map<String, String> states = new LinkedHashMap<>();
                Matcher m = SERVER_ROW.matcher(dom.output());
                while (m.find()) {
                    states.put(m.group(1), m.group(2));
                }
                assertEquals(Map.of("broker-a", "up", "broker-b", "up", "broker-c", "down", "broker-d", "maint",
                        "ingest-1", "up", "ingest-2", "drain"), states, "rows in the browser's DOM");
                for (String label : List.of(">UP<", ">DOWN<", ">MAINT<", ">DRAIN<", "connect refused (checked by test)",
                        "stick table", "Backend brokers", "Backend telemetry", "Kernel accept queue",
                        "Kernel listen drops")) {
                    assertTrue(dom.output().contains(label), "page shows " + label);
                }
                Matcher queue = ACCEPT_QUEUE.matcher(dom.output());
                Map<String, String> queues = new LinkedHashMap<>();
                while (queue.find()) {
                    queues.put(queue.group(1), queue.group(2));
                }
                assertEquals(acceptQueue, queues.get(HostPort.of(telemetry)), "telemetry's accept queue in " + queues);
                assertTrue(dom.output().matches("(?s).*<span data-listen-overflows=\"\">(n/a|[0-9,]+)</span>.*"),
                        "the kernel's overflow counter");

                Files.createDirectories(SCREENSHOT.getParent());
                Files.deleteIfExists(SCREENSHOT);
                ExternalTool.Result shot = chromium(chromium, "--screenshot=" + SCREENSHOT.toAbsolutePath(),
                        "--window-size=1280,900", "--hide-scrollbars", url);
                assertEquals(0, shot.exitCode(), shot.output());
                byte[] png = Files.readAllBytes(SCREENSHOT);
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
                assertTrue(png.length > 10_000, "a real picture, " + png.length + " bytes");
            }
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            for (SocketChannel c : waiting) {
                c.close();
            }
            for (FakeServer u : upstreams) {
                u.close();
            }
        }
    }

    /** A client that sends {@code firstBytes}, gets them echoed after the server's tag, and stays open. */
    private static Socket open(InetSocketAddress address, String firstBytes) throws Exception {
        Socket s = Clients.connect(address);
        byte[] sent = Clients.ascii(firstBytes);
        s.getOutputStream().write(sent);
        InputStream in = s.getInputStream();
        Clients.readLine(in);
        Clients.readExactly(in, sent.length);
        return s;
    }

    /** A connect that does not wait: with the frontend at its limit it stays in the kernel's accept queue. */
    private static SocketChannel connectWithoutWaiting(InetSocketAddress address) throws Exception {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        c.connect(address);
        return c;
    }

    private static void refuse(InetSocketAddress address, String firstBytes) throws Exception {
        try (Socket s = Clients.connect(address)) {
            s.getOutputStream().write(Clients.ascii(firstBytes));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    private ExternalTool.Result chromium(Path chromium, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath()));
        command.addAll(List.of(args));
        return ExternalTool.run(command, null, 90);
    }
}
