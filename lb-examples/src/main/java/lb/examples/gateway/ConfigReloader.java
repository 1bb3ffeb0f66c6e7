package lb.examples.gateway;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import lb.core.ConfigChange;
import lb.core.LoadBalancer;
import lb.core.Reconfigured;
import lb.core.tls.KeyFileException;

/**
 * Re-reads the gateway's configuration (the same flags, the configuration file read again) and
 * applies it to the running load balancer as a diff, for SIGHUP and the admin endpoint. Any
 * thread may call {@link #reload}; reloads run one at a time. A configuration that does not
 * parse, does not validate or cannot be bound is refused whole, and the running one stays.
 */
final class ConfigReloader {
    /** What one reload did: refused (with the reason), or the changes, each applied or not. */
    record Outcome(boolean accepted, String reason, List<ConfigChange> changes) {
        String json() {
            StringBuilder b = new StringBuilder("{\"accepted\":").append(accepted);
            if (reason != null) {
                b.append(",\"reason\":").append(Json.string(reason));
            }
            b.append(",\"changes\":[");
            for (int i = 0; i < changes.size(); i++) {
                ConfigChange c = changes.get(i);
                b.append(i == 0 ? "" : ",").append("{\"applied\":").append(c.applied()).append(",\"scope\":")
                        .append(Json.string(c.scope().name().toLowerCase(java.util.Locale.ROOT)))
                        .append(",\"change\":").append(Json.string(c.description())).append('}');
            }
            return b.append("]}").toString();
        }
    }

    private final LoadBalancer lb;
    private final String[] args;
    private final PrintStream log;
    private final ServerTemplates templates;
    private volatile GatewayOptions current;

    ConfigReloader(LoadBalancer lb, String[] args, GatewayOptions running, PrintStream log) {
        this(lb, args, running, log, new ServerTemplates(NameResolver.SYSTEM, log));
    }

    /** A reloader whose server-template servers come from {@code templates} (shared with the resolve thread). */
    ConfigReloader(LoadBalancer lb, String[] args, GatewayOptions running, PrintStream log, ServerTemplates templates) {
        this.lb = lb;
        this.args = args.clone();
        this.log = log;
        this.templates = templates;
        this.current = running;
    }

    /** The options the gateway runs with now (those of the last accepted reload). */
    GatewayOptions current() {
        return current;
    }

    /** Reads the configuration again and applies what changed; {@code who} goes into the log. */
    synchronized Outcome reload(String who) {
        GatewayOptions next;
        Reconfigured result;
        try {
            next = GatewayOptions.parse(args);
            if (next.demo) {
                throw new UsageException("the configuration no longer names any broker");
            }
            result = lb.apply(GatewaySetup.builder(next, templates));
        } catch (UsageException | KeyFileException | IllegalArgumentException | IllegalStateException
                 | UncheckedIOException e) {
            String reason = (e instanceof KeyFileException ? "TLS: " : "") + e.getMessage();
            log.println(Log.line("reload_refused", "by " + who + ": " + reason + "; the running configuration stays"));
            return new Outcome(false, reason, List.of());
        }
        List<ConfigChange> changes = new ArrayList<>(result.changes());
        changes.addAll(gatewayOnly(current, next));
        current = next;
        templates.retain(next);
        if (changes.isEmpty()) {
            log.println(Log.line("reload", "by " + who + ": no change"));
        }
        for (ConfigChange c : changes) {
            log.println(Log.line(c.applied() ? "reload_applied" : "reload_not_applied", "by " + who + ": " + c));
        }
        JitCheck.warning(next).ifPresent(w -> log.println(Log.line("reload_warning", "by " + who + ": " + w)));
        return new Outcome(true, null, List.copyOf(changes));
    }

    /**
     * Applies the running configuration again after server-template names resolved to other
     * addresses: servers for new addresses are added, those whose address vanished removed
     * after draining, through the same diff as a reload, and logged alike ({@code resolve_applied}).
     */
    synchronized Outcome resolved(String who) {
        Reconfigured result;
        try {
            result = lb.apply(GatewaySetup.builder(current, templates));
        } catch (KeyFileException | IllegalArgumentException | IllegalStateException
                 | UncheckedIOException e) {
            String reason = (e instanceof KeyFileException ? "TLS: " : "") + e.getMessage();
            log.println(Log.line("resolve_refused", "by " + who + ": " + reason + "; the running servers stay"));
            return new Outcome(false, reason, List.of());
        }
        for (ConfigChange c : result.changes()) {
            log.println(Log.line(c.applied() ? "resolve_applied" : "resolve_not_applied", "by " + who + ": " + c));
        }
        return new Outcome(true, null, List.copyOf(result.changes()));
    }

    /** Settings the gateway itself (not the load balancer) reads once at start. */
    private static List<ConfigChange> gatewayOnly(GatewayOptions was, GatewayOptions now) {
        List<ConfigChange> out = new ArrayList<>();
        notApplied(out, "stats", was.statsEnabled ? was.stats : null, now.statsEnabled ? now.stats : null);
        notApplied(out, "stats-user", was.statsUser, now.statsUser);
        notApplied(out, "admin", was.admin, now.admin);
        notApplied(out, "log-format", was.logFormat, now.logFormat);
        notApplied(out, "tls-reload-interval", was.tlsReloadInterval, now.tlsReloadInterval);
        notApplied(out, "resolve-interval", was.resolveInterval, now.resolveInterval);
        return out;
    }

    private static void notApplied(List<ConfigChange> out, String key, Object was, Object now) {
        if (!Objects.equals(was, now)) {
            out.add(new ConfigChange(false, ConfigChange.Scope.GLOBAL,
                    key + " " + was + " -> " + now + " (read at start: needs a restart)"));
        }
    }

    /**
     * Reloads on SIGHUP where the JVM lets an application handle it (HotSpot on Unix, through
     * {@code sun.misc.Signal}); elsewhere says so and the signal keeps its default effect.
     */
    void onHangup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                Thread t = new Thread(() -> reload("SIGHUP"), "mqtt-gateway-reload");
                t.setDaemon(true);
                t.start();
            });
        } catch (LinkageError | IllegalArgumentException | UnsupportedOperationException e) {
            log.println(Log.line("sighup_unavailable", "reload on SIGHUP is not available here (" + e
                    + "); use the admin endpoint's POST /reload"));
        }
    }
}
