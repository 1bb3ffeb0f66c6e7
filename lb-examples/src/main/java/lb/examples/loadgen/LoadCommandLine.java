package lb.examples.loadgen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load generator's command line: parsed into a {@link LoadConfig} plus output options.
 * A wrong flag or value fails with a {@link UsageException} naming it.
 *
 * @param config   the run, or null when only help was asked for
 * @param jsonFile where to write the JSON summary, or null
 * @param quiet    no progress line
 * @param help     print the usage and stop
 */
public record LoadCommandLine(LoadConfig config, Path jsonFile, boolean quiet, boolean help) {

    public static final String USAGE = """
            usage: LoadGenerator SCENARIO [OPTIONS]

            Puts MQTT load on a broker or balancer on this machine: thousands of clients on a few
            threads, latencies in HdrHistograms, a live progress line on stderr, a summary on stdout.

            Scenarios:
              connect   N clients connect (at --rate per second, or flat out), then disconnect
              idle      N clients connect and hold their connections for --duration, pinging
              pubsub    S subscribers take PREFIX/+; P publishers publish to PREFIX/<n> at --rate
                        messages/s in all, for --duration; deliveries are counted exactly
              churn     N clients connect; then --rate per second disconnect and reconnect with
                        the same client id, for --duration
              storm     N clients connect; then all disconnect and reconnect at once

            Target and protocol:
              --target HOST:PORT      loopback address to load (default 127.0.0.1:1883)
              --mqtt 4|5              protocol level: 4 = MQTT 3.1.1, 5 = MQTT 5.0 (default 4)
              --client-id-prefix P    client ids P0, P1, ... or Ppub-0, Psub-0, ... (default lg-)

            Load:
              --clients N             clients of connect, idle, churn, storm (default 1000, at most 15000)
              --rate R                connects/s (connect, idle, storm), reconnects/s (churn) or
                                      messages/s in all (pubsub); 0 = flat out
                                      (default 0; churn 100; pubsub 1000)
              --duration D            how long idle holds, pubsub publishes, churn churns (default 10s)
              --publishers P          pubsub publishers (default 10)
              --subscribers S         pubsub subscribers (default 10)
              --size BYTES            message size, at least 16 (default 64)
              --qos 0|1               QoS of publishes and subscriptions (default 0)
              --messages N            messages per publisher at most (default: as --duration allows)
              --flat-out-window N     flat-out pubsub: messages published and not yet received
                                      by every subscriber, at most; publishers wait while that
                                      many are under way, so the run measures what the path
                                      delivers and no broker drops a subscriber that falls
                                      behind; 0 = no bound (default 256 per publisher)
              --topic PREFIX          topic prefix (default load)

            Connections:
              --source A[,A...]       local addresses to bind before connecting, e.g.
                                      127.0.0.1,127.0.0.2 or 127.0.0.1-4; each brings its own ports
              --source-ports LO-HI    take local ports from LO-HI on each source address
                                      instead of letting the kernel pick
              --threads N             client loop threads (default: processors, at most 4)
              --keep-alive D          MQTT keep-alive; clients ping at half of it (default 60s)
              --connect-timeout D     per attempt, from TCP connect to CONNACK (default 10s)
              --inflight N            connects in flight at most, so a flat-out run measures
                                      the target rather than its accept backlog (default 200)
              --time-limit D          hard stop for the whole run (default: derived from the rest)

            TLS:
              --tls                   connect over TLS (TLS 1.3), on the loops without blocking;
                                      connect latency then includes the handshake, and a
                                      handshake latency (TCP up to TLS done) is reported too
              --tls-ca FILE           PEM file of the CAs the server's certificate must chain to;
                                      required with --tls unless --tls-insecure
              --tls-insecure          accept any server certificate, unchecked (tests only)
              --tls-sni NAME          host name sent as SNI and checked in the certificate
                                      (default: none sent; the certificate must name the
                                      target's address)
              --tls-cert FILE         client certificate chain (PEM), for servers that ask
              --tls-key FILE          its private key (PEM, unencrypted)
              --tls-resume            each client offers the session of its earlier connection
                                      in this process again (TLS 1.3 tickets); the summary
                                      counts resumed handshakes. Without it every handshake
                                      is a full one
              --tls-protocols LIST    TLSv1.3, TLSv1.2 or both (default TLSv1.3)

            Output:
              --json FILE             also write the summary as JSON to FILE
              --quiet                 no progress line
              --help                  this text

            Durations: 500ms, 10s, 2m, 1h; a bare number is seconds.
            Exit status: 0 clean run; 1 some attempt failed or was refused, a connection dropped,
            a message was lost, or the time limit stopped the run; 2 bad arguments.
            One process holds up to 15000 clients; run several, each with its own
            --client-id-prefix (and --source addresses), for more.
            """;

    /** Flags that take no value. */
    private static final List<String> SWITCHES = List.of("--quiet", "--tls", "--tls-insecure", "--tls-resume");

    /** A flag or value the command line cannot use; the message names it. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public static LoadCommandLine parse(String... args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("missing SCENARIO (connect, idle, pubsub, churn or storm)");
        }
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return new LoadCommandLine(null, null, false, true);
            }
        }
        Scenario scenario = scenario(args[0]);
        List<String[]> options = options(args);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1883);
        for (String[] option : options) {
            if (option[0].equals("--target")) {
                target = hostPort(option[0], option[1]);
            }
        }
        LoadConfig.Builder b = LoadConfig.builder(scenario, target);
        Path json = null;
        boolean quiet = false;
        boolean tls = false;
        LoadTls tlsSettings = LoadTls.untrusted();
        String tlsFlagWithoutTls = null;
        for (String[] option : options) {
            String flag = option[0];
            String value = option[1];
            switch (flag) {
                case "--target" -> {
                }
                case "--mqtt" -> b.mqttLevel(integer(flag, value));
                case "--client-id-prefix" -> b.clientIdPrefix(value);
                case "--clients" -> b.clients(integer(flag, value));
                case "--rate" -> b.rate(decimal(flag, value));
                case "--duration" -> b.duration(duration(flag, value));
                case "--publishers" -> b.publishers(integer(flag, value));
                case "--subscribers" -> b.subscribers(integer(flag, value));
                case "--size" -> b.messageSize(integer(flag, value));
                case "--qos" -> b.qos(integer(flag, value));
                case "--messages" -> b.messagesPerPublisher(integer(flag, value));
                case "--flat-out-window" -> b.flatOutWindow(integer(flag, value));
                case "--topic" -> b.topicPrefix(value);
                case "--source" -> b.sourceAddresses(sources(flag, value));
                case "--source-ports" -> {
                    int[] range = range(flag, value);
                    b.sourcePorts(range[0], range[1]);
                }
                case "--threads" -> b.threads(integer(flag, value));
                case "--keep-alive" -> b.keepAlive(duration(flag, value));
                case "--connect-timeout" -> b.connectTimeout(duration(flag, value));
                case "--inflight" -> b.maxConnectsInFlight(integer(flag, value));
                case "--time-limit" -> b.timeLimit(duration(flag, value));
                case "--json" -> json = Path.of(value);
                case "--quiet" -> quiet = true;
                case "--tls" -> tls = true;
                case "--tls-ca" -> tlsSettings = tlsSettings.withCaFile(Path.of(value));
                case "--tls-insecure" -> tlsSettings = tlsSettings.withAnyCertificateTrusted();
                case "--tls-sni" -> tlsSettings = tlsSettings.withServerName(value);
                case "--tls-cert" -> tlsSettings = tlsSettings.withClientCertificate(Path.of(value), tlsSettings.keyFile());
                case "--tls-key" -> tlsSettings = tlsSettings.withClientCertificate(tlsSettings.certFile(), Path.of(value));
                case "--tls-resume" -> tlsSettings = tlsSettings.withResumption(true);
                case "--tls-protocols" -> tlsSettings = tlsSettings.withProtocols(List.of(value.split(",")));
                default -> throw new UsageException("unknown option " + flag);
            }
            if (flag.startsWith("--tls-")) {
                tlsFlagWithoutTls = flag;
            }
        }
        if (tls) {
            b.tls(tlsSettings);
        } else if (tlsFlagWithoutTls != null) {
            throw new UsageException(tlsFlagWithoutTls + " needs --tls");
        }
        try {
            return new LoadCommandLine(b.build(), json, quiet, false);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage());
        }
    }

    private static Scenario scenario(String name) throws UsageException {
        for (Scenario s : Scenario.values()) {
            if (s.cliName().equals(name)) {
                return s;
            }
        }
        throw new UsageException("unknown SCENARIO '" + name + "' (connect, idle, pubsub, churn or storm)");
    }

    /** Pairs of flag and value; {@link #SWITCHES} take none, the rest take one, as {@code --f v} or {@code --f=v}. */
    private static List<String[]> options(String[] args) throws UsageException {
        List<String[]> out = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            if (equals > 0) {
                out.add(new String[] {arg.substring(0, equals), arg.substring(equals + 1)});
            } else if (SWITCHES.contains(arg)) {
                out.add(new String[] {arg, ""});
            } else if (i + 1 < args.length) {
                out.add(new String[] {arg, args[++i]});
            } else {
                throw new UsageException(arg + " needs a value");
            }
        }
        return out;
    }

    private static int integer(String flag, String value) throws UsageException {
        try {
            return Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": '" + value + "' is not a whole number");
        }
    }

    private static double decimal(String flag, String value) throws UsageException {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": '" + value + "' is not a number");
        }
    }

    static Duration duration(String flag, String value) throws UsageException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long amount = Long.parseLong(v.replaceAll("[smh]$", ""));
            return switch (v.charAt(v.length() - 1)) {
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new UsageException(flag + ": '" + value + "' is not a duration (500ms, 10s, 2m, 1h)");
        }
    }

    private static InetSocketAddress hostPort(String flag, String value) throws UsageException {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException(flag + ": '" + value + "' is not HOST:PORT");
        }
        int port = integer(flag, value.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw new UsageException(flag + ": port " + port + " is out of range");
        }
        return new InetSocketAddress(address(flag, value.substring(0, colon).replace("[", "").replace("]", "")), port);
    }

    /** A comma list of addresses; {@code A.B.C.X-Y} expands to the addresses X to Y of that /24. */
    private static List<InetAddress> sources(String flag, String value) throws UsageException {
        List<InetAddress> out = new ArrayList<>();
        for (String part : value.split(",")) {
            int dash = part.indexOf('-');
            if (dash < 0) {
                out.add(address(flag, part));
                continue;
            }
            String first = part.substring(0, dash);
            int lastDot = first.lastIndexOf('.');
            if (lastDot < 0) {
                throw new UsageException(flag + ": '" + part + "' is not an IPv4 range like 127.0.0.1-4");
            }
            int from = integer(flag, first.substring(lastDot + 1));
            int to = integer(flag, part.substring(dash + 1));
            if (from > to || to > 255) {
                throw new UsageException(flag + ": '" + part + "' is not an IPv4 range like 127.0.0.1-4");
            }
            for (int i = from; i <= to; i++) {
                out.add(address(flag, first.substring(0, lastDot + 1) + i));
            }
        }
        return out;
    }

    private static int[] range(String flag, String value) throws UsageException {
        int dash = value.indexOf('-');
        if (dash <= 0) {
            throw new UsageException(flag + ": '" + value + "' is not LOW-HIGH");
        }
        return new int[] {integer(flag, value.substring(0, dash)), integer(flag, value.substring(dash + 1))};
    }

    /** Literal addresses only: the tool never resolves names. */
    private static InetAddress address(String flag, String text) throws UsageException {
        if (text.equals("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        if (!text.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            throw new UsageException(flag + ": '" + text + "' is not a literal IP address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new UsageException(flag + ": '" + text + "' is not an IP address");
        }
    }
}
