package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.core.LoadBalancer;
import lb.core.stats.http.StatsEndpoint;
import lb.core.testing.ExpositionFormat;
import lb.core.testing.ExternalTool;
import lb.core.testing.JsonSyntax;
import lb.examples.broker.FakeBroker;

/**
 * The Grafana dashboard the distribution ships cannot drift from the metric names: every metric
 * its queries name is in the /metrics of a running gateway (one with a TLS listener, so the TLS
 * families are there), every label they group or label by is on those metrics (or is one
 * Prometheus adds when scraping), and Prometheus' own parser takes every query (where promtool
 * is installed).
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("src/dist/grafana/mqtt-gateway.json");
    /** Our metric names; PromQL functions and keywords never start so. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:lb|process)_[a-zA-Z0-9_]+");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|on|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
    /** Labels Prometheus attaches to every scraped series. */
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance");

    private static final List<Map<String, Object>> targets = new ArrayList<>();
    private static final List<String> queries = new ArrayList<>();
    /** Every sample name in a live /metrics, with the label names its samples carry. */
    private static final Map<String, Set<String>> exposed = new HashMap<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void readTheDashboardAndScrapeAGateway() throws Exception {
        Map<String, Object> dashboard = JsonSyntax.object(JsonSyntax.parse(Files.readString(DASHBOARD)));
        for (Object p : JsonSyntax.array(dashboard.get("panels"))) {
            for (Object t : JsonSyntax.array(JsonSyntax.object(p).get("targets"))) {
                targets.add(JsonSyntax.object(t));
                queries.add((String) JsonSyntax.object(t).get("expr"));
            }
        }
        for (Object v : JsonSyntax.array(JsonSyntax.object(dashboard.get("templating")).get("list"))) {
            Object definition = JsonSyntax.object(v).get("definition");
            if (definition != null) {
                queries.add((String) definition);
            }
        }
        for (ExpositionFormat.Family f : ExpositionFormat.parse(scrape()).values()) {
            for (ExpositionFormat.Sample s : f.samples) {
                exposed.computeIfAbsent(s.name(), n -> new HashSet<>()).addAll(s.labels().keySet());
            }
        }
    }

    @Test
    void theDashboardHasThePanelsItPromises() throws Exception {
        List<String> titles = new ArrayList<>();
        Map<String, Object> dashboard = JsonSyntax.object(JsonSyntax.parse(Files.readString(DASHBOARD)));
        for (Object p : JsonSyntax.array(dashboard.get("panels"))) {
            titles.add((String) JsonSyntax.object(p).get("title"));
        }
        assertTrue(titles.containsAll(List.of("Tunnels per frontend", "Connects per second", "Connect time p99",
                "Queue time p99", "Servers up", "Bytes per second", "Terminations by reason",
                "TLS handshake failures")), titles.toString());
    }

    @Test
    void everyMetricAQueryNamesIsInTheGatewaysMetrics() {
        Set<String> used = new HashSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                used.add(m.group());
                assertTrue(exposed.containsKey(m.group()), "the dashboard asks for " + m.group()
                        + ", which /metrics does not have, in: " + q);
            }
        }
        assertTrue(used.containsAll(Set.of("lb_backend_connect_time_seconds_bucket",
                "lb_backend_queue_time_seconds_bucket", "lb_frontend_tls_handshake_failures_total",
                "lb_frontend_connections_peak", "lb_build_info", "process_start_time_seconds")), used.toString());
    }

    @Test
    void everyLabelAQueryGroupsOrNamesIsOnItsMetrics() {
        for (Map<String, Object> t : targets) {
            String q = (String) t.get("expr");
            Set<String> available = new HashSet<>(SCRAPE_LABELS);
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                available.addAll(exposed.getOrDefault(m.group(), Set.of()));
            }
            List<String> wanted = new ArrayList<>();
            Matcher g = GROUPING.matcher(q);
            while (g.find()) {
                for (String label : g.group(1).split(",")) {
                    wanted.add(label.strip());
                }
            }
            Matcher l = LEGEND_LABEL.matcher(String.valueOf(t.get("legendFormat")));
            while (l.find()) {
                wanted.add(l.group(1));
            }
            assertFalse(wanted.isEmpty() && q.contains("by"), "labels found in " + q);
            for (String label : wanted) {
                assertTrue(available.contains(label), "no label '" + label + "' on the metrics of: " + q);
            }
        }
    }

    /** Needs Debian's {@code prometheus} package; skipped without it. */
    @Test
    void prometheusParsesEveryQuery() throws Exception {
        Path promtool = ExternalTool.require("prometheus", "promtool");
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            // Grafana's own variables, as Grafana would fill them in.
            String q = queries.get(i).replace("$__rate_interval", "1m").replace("$job", ".*");
            if (q.startsWith("label_values(")) {
                continue; // Grafana's templating function, not PromQL
            }
            rules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
                    .append(q.replace("'", "''")).append("'\n");
        }
        Path file = dir.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        ExternalTool.Result r = ExternalTool.run(List.of(promtool.toString(), "check", "rules", file.toString()), "", 60);
        assertEquals(0, r.exitCode(), "promtool check rules said:\n" + r.output() + "\non:\n" + rules);
    }

    /** The /metrics of a gateway with a plain and a TLS listener in front of one broker. */
    private static String scrape() throws Exception {
        Path cert = copy("broker-chain.pem");
        Path key = copy("broker-key-pkcs8.pem");
        try (FakeBroker broker = new FakeBroker("a", new InetSocketAddress("127.0.0.1", 0), 1).start()) {
            GatewayOptions o = GatewayOptions.parse(new String[] {
                "--server", "a=127.0.0.1:" + broker.address().getPort(), "--listen", "127.0.0.1:0",
                "--tls-listen", "127.0.0.1:0", "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--health", "none", "--stats", "127.0.0.1:0"});
            PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            try (LoadBalancer lb = GatewaySetup.builder(o).build().start();
                 StatsEndpoint stats = StatsServer.start(lb, o, err)) {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                InetSocketAddress at = stats.address();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + at.getPort() + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                return r.body();
            }
        }
    }

    /** The lb-core test material (shared through its test jar), as a file. */
    private static Path copy(String name) throws IOException {
        try (InputStream in = GrafanaDashboardTest.class.getResourceAsStream("/tls/" + name)) {
            if (in == null) {
                throw new IOException("no test resource tls/" + name);
            }
            Path file = dir.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }
}
