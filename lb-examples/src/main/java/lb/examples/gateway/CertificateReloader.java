package lb.examples.gateway;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import lb.core.LoadBalancer;
import lb.core.Reconfigured;

/**
 * Watches the TLS certificate, key and CA files and, when they change, applies the new
 * certificates to the running gateway: new clients get them, established tunnels keep theirs.
 * A file caught half-written, or a key that does not match, keeps the current certificates and
 * says why; the next change is tried again. One daemon thread, never a loop.
 */
final class CertificateReloader implements AutoCloseable {
    private final LoadBalancer lb;
    private final Supplier<GatewayOptions> options;
    private final PrintStream err;
    private final ScheduledExecutorService timer;
    private List<String> seen;

    private CertificateReloader(LoadBalancer lb, Supplier<GatewayOptions> options, PrintStream err) {
        this.lb = lb;
        this.options = options;
        this.err = err;
        this.seen = TlsFiles.fingerprint(options.get());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqtt-gateway-certificates");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching when the gateway uses TLS files and reloading is on; else does nothing. */
    static AutoCloseable start(LoadBalancer lb, GatewayOptions o, PrintStream err) {
        return start(lb, () -> o, err);
    }

    /**
     * As above, applying the options {@code current} gives at each change (those of the last
     * reload), so renewed certificates never bring back a configuration a reload replaced.
     */
    static AutoCloseable start(LoadBalancer lb, Supplier<GatewayOptions> current, PrintStream err) {
        GatewayOptions o = current.get();
        if (TlsFiles.fingerprint(o).isEmpty() || o.tlsReloadInterval.isZero()) {
            return () -> { };
        }
        CertificateReloader r = new CertificateReloader(lb, current, err);
        long ms = o.tlsReloadInterval.toMillis();
        r.timer.scheduleWithFixedDelay(r::check, ms, ms, TimeUnit.MILLISECONDS);
        return r;
    }

    private void check() {
        GatewayOptions o = options.get();
        List<String> now = TlsFiles.fingerprint(o);
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        try {
            Reconfigured result = lb.apply(GatewaySetup.builder(o));
            err.println("mqtt-gateway: TLS files changed; new clients get the new certificates"
                    + (result.notApplied().isEmpty() ? "" : " (not applied: " + result.notApplied() + ")"));
        } catch (Exception e) {
            err.println("mqtt-gateway: TLS files changed but cannot be used, keeping the current certificates: "
                    + e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
