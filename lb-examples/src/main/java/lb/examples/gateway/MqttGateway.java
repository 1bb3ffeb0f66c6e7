package lb.examples.gateway;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import lb.core.LoadBalancer;
import lb.core.config.Pacing;
import lb.core.tls.KeyFileException;

/**
 * The MQTT gateway: an MQTT-aware load balancer in front of brokers, from the command line.
 * With no arguments it runs the demo on in-process brokers. Exit codes: 0 done, 1 failed, 70 an
 * event loop died (see {@link GatewaySetup#LOOP_FAILED_EXIT}),
 * 2 bad flags.
 */
public final class MqttGateway {
    private MqttGateway() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            // one line per log record: time, level, message
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
        }
        if (java.security.Security.getProperty("networkaddress.cache.ttl") == null) {
            // server-template names are looked up every resolve-interval; the JVM's own 30 s cache would hide changes
            java.security.Security.setProperty("networkaddress.cache.ttl", "1");
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        GatewayOptions o;
        try {
            o = GatewayOptions.parse(args);
        } catch (UsageException e) {
            err.println("mqtt-gateway: " + e.getMessage());
            err.println("Try 'mqtt-gateway --help'.");
            return 2;
        }
        if (o.help) {
            out.print(Help.TEXT);
            return 0;
        }
        if (o.checkOnly) {
            return ConfigReport.check(o, out, err);
        }
        Log.use(o.logFormat);
        if (o.demo) {
            return GatewayDemo.run(o, out, err);
        }
        LoadBalancer lb;
        ServerTemplates templates = new ServerTemplates(NameResolver.SYSTEM, err);
        try {
            lb = GatewaySetup.builder(o, templates).build().start();
        } catch (KeyFileException e) {
            err.println("mqtt-gateway: TLS: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            err.println("mqtt-gateway: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        JitCheck.warning(o).ifPresent(w -> err.println("mqtt-gateway: warning: " + w));
        AutoCloseable stats = StatsServer.start(lb, o, err);
        ConfigReloader reloader = new ConfigReloader(lb, args, o, err, templates);
        reloader.onHangup();
        AutoCloseable resolving = templates.start(o.resolveInterval, () -> reloader.resolved("resolve"));
        AutoCloseable certificates = CertificateReloader.start(lb, reloader::current, err);
        AutoCloseable admin = AdminServer.start(lb, reloader, o, err);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM: clients are told goodbye and leave a few at a time over the grace, not all at once
        Pacing pacing = Pacing.of(o.shutdownRate, o.shutdownGrace);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lb.shutdown(pacing);
            stopped.countDown();
        }));
        if (o.frontends.isEmpty()) {
            out.println("mqtt-gateway: listening on " + lb.frontend("mqtt").boundAddresses()
                    + (o.tlsCerts.isEmpty() ? "" : " and with TLS on " + lb.frontend("mqtts").boundAddresses()) + ", "
                    + o.servers.size() + " brokers, balancer " + o.balancer + ", stickiness " + o.stickiness
                    + ", health " + o.health);
        } else {
            for (lb.core.Frontend f : lb.frontends()) {
                out.println("mqtt-gateway: frontend " + f.name() + " listening on " + f.boundAddresses()
                        + " -> backend " + f.backendName());
            }
        }
        if (o.duration != null) {
            stopped.await(o.duration.toMillis(), TimeUnit.MILLISECONDS);
            lb.shutdown(pacing);
        } else {
            stopped.await();
        }
        resolving.close();
        certificates.close();
        admin.close();
        if (stats != null) {
            stats.close();
        }
        return 0;
    }
}
