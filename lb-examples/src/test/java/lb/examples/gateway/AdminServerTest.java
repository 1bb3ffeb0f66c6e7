package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.stats.http.StatsEndpoint;
import lb.examples.broker.FakeBroker;

class AdminServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String admin;
    private String stats;

    private HttpResponse<String> call(String method, String path, String form, String credentials) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(admin + path)).timeout(Duration.ofSeconds(10))
                .method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        if (form != null) {
            r.header("Content-Type", "application/x-www-form-urlencoded");
        }
        if (credentials != null) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, String form) throws Exception {
        return call(method, path, form, "ops:s3cret");
    }

    /** The server's object in /stats.json, from its name to the end of its settings. */
    private String statsOf(String server) throws Exception {
        String json = http.send(HttpRequest.newBuilder(URI.create(stats + "/stats.json")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        int at = json.indexOf("{\"name\":\"" + server + "\",\"address\"");
        return at < 0 ? "" : json.substring(at, json.indexOf("sourcePortsExhausted", at));
    }

    @Test
    void everyOperationShowsInTheStatsAndIsLoggedWithItsAuthor() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        try (FakeBroker a = new FakeBroker("a").start(); FakeBroker b = new FakeBroker("b").start();
             FakeBroker c = new FakeBroker("c").start()) {
            String[] args = {"--listen", "127.0.0.1:0", "--server", "a=127.0.0.1:" + a.address().getPort(),
                    "--server", "b=127.0.0.1:" + b.address().getPort(), "--health", "none", "--event-loops", "1",
                    "--stats", "127.0.0.1:0", "--admin", "0", "--admin-user", "ops", "--admin-password", "s3cret",
                    "--rebalance-rate", "40"};
            GatewayOptions o = GatewayOptions.parse(args);
            assertTrue(o.admin.getAddress().isLoopbackAddress(), "a bare port is on loopback");
            LoadBalancer lb = GatewaySetup.builder(o).build().start();
            StatsEndpoint statsEndpoint = StatsServer.start(lb, o, log);
            AdminServer server = (AdminServer) AdminServer.start(lb, new ConfigReloader(lb, args, o, log), o, log);
            try {
                admin = "http://127.0.0.1:" + server.address().getPort();
                stats = "http://127.0.0.1:" + statsEndpoint.address().getPort();

                assertEquals(401, call("GET", "/servers", null, null).statusCode());
                assertEquals(401, call("GET", "/servers", null, "ops:wrong").statusCode());
                HttpResponse<String> list = call("GET", "/servers", null);
                assertEquals(200, list.statusCode());
                assertTrue(list.body().contains("\"name\":\"a\"") && list.body().contains("\"state\":\"ready\""), list.body());

                assertEquals(200, call("POST", "/backends/brokers/servers/a", "weight=5").statusCode());
                assertTrue(statsOf("a").contains("\"configuredWeight\":5"), statsOf("a"));

                assertEquals(200, call("POST", "/backends/brokers/servers/a?state=drain", null).statusCode());
                assertTrue(statsOf("a").contains("\"state\":\"drain\""), statsOf("a"));
                assertEquals(200, call("POST", "/backends/brokers/servers/a", "state=maintenance").statusCode());
                assertTrue(statsOf("a").contains("\"state\":\"maintenance\""), statsOf("a"));

                assertEquals(200, call("POST", "/backends/brokers/servers/b", "health=down").statusCode());
                assertTrue(statsOf("b").contains("\"up\":false"), statsOf("b"));
                assertEquals(200, call("POST", "/backends/brokers/servers/b", "health=up").statusCode());
                assertTrue(statsOf("b").contains("\"up\":true"), statsOf("b"));

                HttpResponse<String> added = call("PUT", "/backends/brokers/servers/c",
                        "address=127.0.0.1:" + c.address().getPort() + "&weight=2");
                assertEquals(201, added.statusCode(), added.body());
                assertTrue(statsOf("c").contains("\"configuredWeight\":2"), statsOf("c"));
                assertEquals(409, call("PUT", "/backends/brokers/servers/c", "address=127.0.0.1:1").statusCode());

                assertEquals(202, call("DELETE", "/backends/brokers/servers/c?drain=0s", null).statusCode());
                for (int i = 0; i < 100 && !statsOf("c").isEmpty(); i++) {
                    Thread.sleep(50);
                }
                assertEquals("", statsOf("c"), "a removed server without tunnels is gone after its drain");

                HttpResponse<String> bad = call("POST", "/backends/brokers/servers/a", "weight=heavy");
                assertEquals(400, bad.statusCode());
                assertTrue(bad.body().contains("weight: not a number: 'heavy'"), bad.body());
                assertEquals(400, call("POST", "/backends/brokers/servers/a", "state=asleep").statusCode());
                assertEquals(404, call("POST", "/backends/brokers/servers/zz", "weight=1").statusCode());
                assertEquals(404, call("GET", "/backends/nowhere/servers/a", null).statusCode());
                assertEquals(404, call("GET", "/elsewhere", null).statusCode());
                HttpResponse<String> wrongMethod = call("DELETE", "/servers", null);
                assertEquals(405, wrongMethod.statusCode());
                assertEquals("GET", wrongMethod.headers().firstValue("Allow").orElse(""));
                assertEquals(405, call("GET", "/reload", null).statusCode());

                HttpResponse<String> balanced = call("POST", "/backends/brokers/rebalance", "tolerance=0.2&rate=50");
                assertEquals(200, balanced.statusCode(), balanced.body());
                assertTrue(balanced.body().startsWith("{\"running\":false,\"planned\":0,"), "no clients, nothing to move: "
                        + balanced.body());
                assertEquals(200, call("POST", "/backends/brokers/rebalance", null).statusCode());
                assertEquals(400, call("POST", "/backends/brokers/rebalance", "tolerance=2").statusCode());
                assertEquals(404, call("POST", "/backends/nowhere/rebalance", null).statusCode());
                assertEquals(405, call("GET", "/backends/brokers/rebalance", null).statusCode());

                HttpResponse<String> reload = call("POST", "/reload", null);
                assertEquals(200, reload.statusCode(), reload.body());
                assertTrue(reload.body().startsWith("{\"accepted\":true"), reload.body());

                String logged = logBytes.toString(StandardCharsets.UTF_8);
                assertTrue(logged.contains("admin_change by ops@127.0.0.1: brokers/a: weight 1 -> 5"), logged);
                assertTrue(logged.contains("admin_change by ops@127.0.0.1: brokers/c: removed, draining for up to PT0S"), logged);
                assertTrue(logged.contains("by admin ops@127.0.0.1"), logged);
                assertTrue(logged.contains("admin_change by ops@127.0.0.1: brokers: rebalance, 0 clients to move at 50/s"), logged);
                // without parameters: the backend's own rebalance-rate
                assertTrue(logged.contains("admin_change by ops@127.0.0.1: brokers: rebalance, 0 clients to move at 40/s"), logged);
            } finally {
                server.close();
                statsEndpoint.close();
                lb.close();
            }
        }
    }

    @Test
    void theAdminEndpointIsOffByDefaultAndNeedsItsOwnCredentials() throws Exception {
        assertEquals(null, GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884"}).admin);
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884", "--admin", "9000"}));
        assertTrue(e.getMessage().contains("--admin-user and --admin-password"), e.getMessage());
    }
}
