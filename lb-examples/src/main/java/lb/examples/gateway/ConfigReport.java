package lb.examples.gateway;

import java.io.PrintStream;

import lb.core.Backend;
import lb.core.Frontend;
import lb.core.LoadBalancer;
import lb.core.model.Server;

/**
 * {@code --check-config}: validates the configuration the way a start would (options, TLS
 * files, the load balancer's own checks) without binding anything, and prints what would run.
 */
final class ConfigReport {
    private ConfigReport() {
    }

    /** 0 and the description on {@code out}, or 2 and the reason on {@code err}. */
    static int check(GatewayOptions o, PrintStream out, PrintStream err) {
        String file = o.configFile == null ? "the flags" : o.configFile.toString();
        if (o.demo) {
            err.println("mqtt-gateway: " + file + ": no broker and no listener: this would run the demo");
            return 2;
        }
        LoadBalancer lb;
        try {
            lb = GatewaySetup.builder(o).build(); // validates; binds nothing until start()
        } catch (Exception e) {
            err.println("mqtt-gateway: " + file + ": " + e.getMessage());
            return 2;
        }
        try {
            out.println("configuration " + file + " is valid");
            out.println("global: event-loops " + o.eventLoops + ", max-connections "
                    + (o.maxConnections < 0 ? "default" : o.maxConnections) + ", memory-budget "
                    + (o.memoryBudget == 0 ? "default" : o.memoryBudget) + ", stats "
                    + (o.statsEnabled ? o.stats : "off") + ", admin " + (o.admin == null ? "off" : o.admin)
                    + ", connection-log " + (o.connectionLog ? "on" : "off") + ", reuse-port " + (o.reusePort ? "on" : "off"));
            for (Frontend f : lb.frontends()) {
                GatewayOptions s = settingsOf(o, f.name(), true);
                out.println("frontend " + f.name() + ": listen " + f.listenAddresses()
                        + (!s.tlsCerts.isEmpty() || (f.name().equals("mqtts") && o.frontends.isEmpty()) ? " (TLS)" : "")
                        + (s.webSocket ? " (WebSocket" + (s.webSocketPath == null ? "" : " " + s.webSocketPath) + ")" : "")
                        + " -> backend " + f.backendName());
            }
            for (Backend b : lb.backends()) {
                GatewayOptions s = settingsOf(o, b.name(), false);
                out.println("backend " + b.name() + ": balancer " + s.balancer + ", stickiness " + s.stickiness
                        + ", health " + s.health + (s.health.equals("none") ? "" : " every " + s.healthInterval));
                for (Server server : b.servers()) {
                    out.println("  server " + server.name() + " " + server.address().getHostString() + ":"
                            + server.address().getPort() + " weight " + server.configuredWeight() + " maxconn "
                            + server.maxConnections() + (server.sendProxy() == null ? "" : " proxy " + server.sendProxy()));
                }
            }
            return 0;
        } finally {
            lb.close();
        }
    }

    private static GatewayOptions settingsOf(GatewayOptions o, String name, boolean frontend) {
        for (GatewayOptions.Section s : frontend ? o.frontends : o.backends) {
            if (s.name().equals(name)) {
                return s.settings();
            }
        }
        return o;
    }
}
