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
                GatewayOptions s = o.settingsOf(f.name(), true);
                out.println("frontend " + f.name() + ": listen " + f.listenAddresses()
                        + (!s.tlsCerts.isEmpty() || (f.name().equals("mqtts") && o.frontends.isEmpty()) ? " (TLS)" : "")
                        + (s.webSocket ? " (WebSocket" + (s.webSocketPath == null ? "" : " " + s.webSocketPath) + ")" : "")
                        + " -> backend " + f.backendName());
                for (lb.core.config.KeyRoute r : f.policy().keyRoutes()) {
                    out.println("  route " + r);
                }
            }
            for (Backend b : lb.backends()) {
                GatewayOptions s = o.settingsOf(b.name(), false);
                out.println("backend " + b.name() + ": balancer " + s.balancer + ", stickiness " + s.stickiness
                        + ", health " + health(s)
                        + (s.rebalanceOnAdd ? ", rebalance on add within " + s.rebalanceTolerance + " at "
                        + s.rebalanceRate + "/s" : ""));
                for (GatewayOptions.ServerTemplate t : s.templates) {
                    out.println("  server-template " + t.prefix() + (t.count() == 0 ? "" : " " + t.count()) + " " + t.host()
                            + ":" + t.port() + " (looked up every " + o.resolveInterval + "; its servers as found now:)");
                }
                for (Server server : b.servers()) {
                    out.println("  server " + server.name() + " " + hostAndAddress(server.address()) + ":"
                            + server.address().getPort() + " weight " + server.configuredWeight() + " maxconn "
                            + server.maxConnections() + (server.sendProxy() == null ? "" : " proxy " + server.sendProxy())
                            + checkPort(s, server));
                }
            }
            return 0;
        } finally {
            lb.close();
        }
    }

    /** The check as an operator wrote it: kind, HTTP request and expectations, port, interval. */
    private static String health(GatewayOptions s) {
        if (s.health.equals("none")) {
            return "none";
        }
        String kind = s.health;
        if (kind.equals("http")) {
            lb.core.health.HttpCheck c = s.httpCheck();
            kind = "http GET " + c.path() + (c.host() == null ? "" : " Host " + c.host()) + " expecting "
                    + c.expectedStatus() + (c.body() == null ? "" : " and \"" + c.body() + "\"");
        }
        return kind + (s.healthPort == 0 ? "" : " on port " + s.healthPort) + (s.healthNoTls ? " without TLS" : "")
                + " every " + s.healthInterval;
    }

    /** The host as configured, and the address it resolved to when that is another text. */
    private static String hostAndAddress(java.net.InetSocketAddress a) {
        String literal = a.getAddress().getHostAddress();
        return a.getHostString().equals(literal) ? literal : a.getHostString() + " (" + literal + ")";
    }

    private static String checkPort(GatewayOptions s, Server server) {
        for (GatewayOptions.ServerSpec spec : s.servers) {
            if (spec.name().equals(server.name()) && spec.checkPort() != 0) {
                return " check-port " + spec.checkPort();
            }
        }
        return "";
    }
}
