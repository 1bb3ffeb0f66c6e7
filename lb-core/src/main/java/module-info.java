/**
 * An embeddable TCP load balancer on Java NIO. Exported: the entry point and builders
 * ({@code lb.core}), what balancers, extractors and listeners see ({@code lb.core.model}), the
 * configuration values ({@code lb.core.config}), the plug-in packages (balancers, stick tables,
 * health checks, PROXY protocol, TLS, WebSocket, clock) and the statistics with their HTTP endpoint. The engine
 * ({@code lb.core.engine}, {@code lb.core.limit}, {@code lb.core.buffer}) is internal and free
 * to change.
 */
module lb.core {
    requires java.management;
    requires jdk.management;
    requires java.naming;

    exports lb.core;
    exports lb.core.model;
    exports lb.core.config;
    exports lb.core.balance;
    exports lb.core.stick;
    exports lb.core.health;
    exports lb.core.proxy;
    exports lb.core.time;
    exports lb.core.stats;
    exports lb.core.stats.http;
    exports lb.core.tls;
    exports lb.core.websocket;
}
