package lb.examples.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import lb.core.BackendBuilder;
import lb.core.FrontendBuilder;
import lb.core.LoadBalancer;
import lb.core.LoadBalancerBuilder;
import lb.core.balance.Balancer;
import lb.core.balance.ConsistentHash;
import lb.core.balance.FirstAvailable;
import lb.core.balance.LeastConnections;
import lb.core.balance.PowerOfTwoChoices;
import lb.core.balance.RendezvousHash;
import lb.core.balance.RoundRobin;
import lb.core.balance.SourceHash;
import lb.core.balance.StaticRoundRobin;
import lb.core.config.Rebalance;
import lb.core.health.HealthCheck;
import lb.core.model.AcceptMode;
import lb.core.model.KeyExtractor;
import lb.core.proxy.ProxyFormat;
import lb.core.tls.KeyFileException;
import lb.core.tls.SniPassthrough;
import lb.core.tls.TlsSettings;
import lb.core.tls.UpstreamTlsSettings;
import lb.core.websocket.WebSocketInspector;
import lb.mqtt.ConnectInspector;
import lb.mqtt.Mqtt;

/**
 * Turns gateway options into a load balancer description: the MQTT frontend ("mqtt"), with
 * TLS flags a second one terminating TLS ("mqtts") in front of the same brokers, one backend.
 */
final class GatewaySetup {
    /** A client announcing a tiny keep-alive still gets this long before its tunnel idles out. */
    private static final Duration KEEP_ALIVE_MINIMUM = Duration.ofSeconds(30);

    /** Exit status when an event loop died: a supervisor (systemd, Kubernetes) should restart the gateway. */
    static final int LOOP_FAILED_EXIT = 70;

    private GatewaySetup() {
    }

    /**
     * A loop died of an error it could not contain (out of memory, say): the gateway would go on
     * with fewer loops, but a process in that state is better restarted whole. Exits from a new
     * thread, as the shutdown hook waits for the loops and this runs on the dying one.
     */
    private static void exitForRestart(lb.core.model.LoopFailure failure) {
        System.err.println("mqtt-gateway: event loop " + failure.loop() + " died (" + failure.error()
                + "); exiting with status " + LOOP_FAILED_EXIT + " so a supervisor restarts it");
        Thread exit = new Thread(() -> System.exit(LOOP_FAILED_EXIT), "mqtt-gateway-exit");
        exit.setDaemon(false);
        exit.start();
    }

    /**
     * The description with TLS settings read from the TLS flags' files (if any), server-template
     * names looked up now with the system's resolver.
     */
    static LoadBalancerBuilder builder(GatewayOptions o) throws KeyFileException {
        return builder(o, new ServerTemplates(NameResolver.SYSTEM, System.err));
    }

    /** As {@link #builder(GatewayOptions)}, with server-template servers from {@code templates}' last lookups. */
    static LoadBalancerBuilder builder(GatewayOptions o, ServerTemplates templates) throws KeyFileException {
        return builder(o, TlsFiles.read(o), TlsFiles.upstream(o), templates);
    }

    static LoadBalancerBuilder builder(GatewayOptions o, TlsSettings tls, UpstreamTlsSettings upstream,
                                       ServerTemplates templates) {
        LoadBalancerBuilder b = global(o);
        if (!o.frontends.isEmpty()) {
            return sections(o, b, templates);
        }
        b.backend("brokers", be -> backendSide(o, be, upstream, o.maxKeyConnectionRate > 0,
                templates.servers("brokers", o.templates)));
        b.frontend("mqtt", f -> {
            o.listen.forEach(f::listen);
            clientSide(o, f, "brokers");
        });
        if (tls != null) {
            b.frontend("mqtts", f -> {
                o.tlsListen.forEach(f::listen);
                clientSide(o, f, "brokers");
                f.tls(tls);
                if (o.mqttInspection && o.tlsClientIdFromCert) {
                    f.keyExtractor(extractor(o, inspector(o).withClientIdFromCertificate()));
                }
            });
        }
        return b;
    }

    /** The process-wide settings: loops, limits, memory, the connection log. */
    private static LoadBalancerBuilder global(GatewayOptions o) {
        LoadBalancerBuilder b = LoadBalancer.builder().eventLoops(o.eventLoops).tlsHandshakesPerLoop(o.tlsHandshakesPerLoop)
                .onLoopFailure(GatewaySetup::exitForRestart);
        if (o.maxConnections >= 0) {
            b.maxConnections(o.maxConnections);
        }
        b.memoryBudget(o.memoryBudget);
        b.connectionLog(o.connectionLog);
        if (o.reusePort) {
            b.acceptMode(AcceptMode.REUSE_PORT);
        }
        return b;
    }

    /** A sectioned configuration file: each section with its own settings and TLS files. */
    private static LoadBalancerBuilder sections(GatewayOptions o, LoadBalancerBuilder b, ServerTemplates templates) {
        for (GatewayOptions.Section be : o.backends) {
            boolean counts = false;
            for (GatewayOptions.Section fe : o.frontends) {
                counts |= fe.backend().equals(be.name()) && fe.settings().maxKeyConnectionRate > 0;
            }
            UpstreamTlsSettings upstream = readOrThrow(() -> TlsFiles.upstream(be.settings()), be);
            boolean countsConnections = counts;
            List<GatewayOptions.ServerSpec> found = templates.servers(be.name(), be.settings().templates);
            b.backend(be.name(), x -> backendSide(be.settings(), x, upstream, countsConnections, found));
        }
        for (GatewayOptions.Section fe : o.frontends) {
            GatewayOptions s = fe.settings();
            TlsSettings tls = readOrThrow(() -> TlsFiles.read(s), fe);
            b.frontend(fe.name(), f -> {
                s.listen.forEach(f::listen);
                clientSide(s, f, fe.backend());
                if (tls != null) {
                    f.tls(tls);
                    if (s.mqttInspection && s.tlsClientIdFromCert) {
                        f.keyExtractor(extractor(s, inspector(s).withClientIdFromCertificate()));
                    }
                }
            });
        }
        return b;
    }

    private interface TlsRead<T> {
        T read() throws KeyFileException;
    }

    /** TLS files of one section; a failure names the section. */
    private static <T> T readOrThrow(TlsRead<T> read, GatewayOptions.Section where) {
        try {
            return read.read();
        } catch (KeyFileException e) {
            throw new IllegalArgumentException(where.where() + ": '" + where.name() + "': TLS: " + e.getMessage(), e);
        }
    }

    /**
     * One backend: servers (those named, then those {@code found} for its server templates),
     * balancer, stickiness, health checks, queue, timeouts.
     */
    private static void backendSide(GatewayOptions o, BackendBuilder be, UpstreamTlsSettings upstream,
                                    boolean countKeyConnections, List<GatewayOptions.ServerSpec> found) {
        List<GatewayOptions.ServerSpec> servers = new ArrayList<>(o.servers);
        servers.addAll(found);
        for (GatewayOptions.ServerSpec s : servers) {
            be.server(s.name(), s.address(), so -> {
                so.weight(s.weight()).maxConnections(s.maxConnections()).maxConnectRate(o.maxConnectRate);
                for (String[] src : s.sources()) {
                    so.source(src[0], Integer.parseInt(src[1]), Integer.parseInt(src[2]));
                }
                if (s.proxy() != null) {
                    so.sendProxy(s.proxy().equals("v1") ? ProxyFormat.V1 : ProxyFormat.V2);
                }
                so.checkPort(s.checkPort());
            });
        }
        be.balancer(balancer(o));
        if (o.stickiness.equals("table")) {
            be.stickTable(countKeyConnections ? Mqtt.clientIdStickTable(o.stickCapacity, o.stickExpire, o.keyRatePeriod)
                    : Mqtt.clientIdStickTable(o.stickCapacity, o.stickExpire));
        }
        HealthCheck check = switch (o.health) {
            case "mqtt" -> Mqtt.connectCheck();
            case "tcp" -> HealthCheck.tcp();
            case "http" -> HealthCheck.http(o.httpCheck());
            default -> null;
        };
        if (check != null) {
            check = check.port(o.healthPort).tls(!o.healthNoTls).interval(o.healthInterval).fastInterval(fast(o.healthInterval))
                    .rise(o.healthRise).fall(o.healthFall).timeout(timeout(o.healthInterval))
                    .observeFailedConnects(o.observeFailedConnects).slowStart(o.slowStart)
                    .closeTunnelsOnDown(o.closeOnDown);
            ProxyFormat proxy = healthProxy(o);
            if (proxy != null) {
                check = check.sendProxy(proxy);
            }
            be.healthCheck(check);
        }
        be.connectTimeout(o.connectTimeout).serverTimeout(o.serverTimeout).queuePriorityBurst(o.queuePriorityBurst)
                .drainOnRemove(o.drainOnRemove);
        if (o.maxQueue >= 0) {
            be.maxQueue(o.maxQueue);
        }
        if (o.queueTimeout != null) {
            be.queueTimeout(o.queueTimeout);
        }
        if (upstream != null) {
            be.tls(upstream); // health checks then speak TLS too
        }
        if (o.rebalanceOnAdd) {
            be.rebalanceOnAdd(Rebalance.of(o.rebalanceTolerance, o.rebalanceRate));
        }
    }

    /**
     * The PROXY header health checks send: as set, or, unset, the one every server gets (a
     * broker that requires PROXY on each connection would refuse a check without one).
     */
    static ProxyFormat healthProxy(GatewayOptions o) {
        if (o.healthSendProxy != null) {
            return o.healthSendProxy.equals("none") ? null : o.healthSendProxy.equals("v1") ? ProxyFormat.V1 : ProxyFormat.V2;
        }
        String common = null;
        List<GatewayOptions.ServerSpec> all = new ArrayList<>(o.servers);
        o.templates.forEach(t -> all.add(t.options()));
        for (GatewayOptions.ServerSpec s : all) {
            if (s.proxy() == null || (common != null && !common.equals(s.proxy()))) {
                return null;
            }
            common = s.proxy();
        }
        return common == null ? null : common.equals("v1") ? ProxyFormat.V1 : ProxyFormat.V2;
    }

    /** What every frontend has: limits, timeouts, PROXY trust, priorities, the CONNECT inspector. */
    private static void clientSide(GatewayOptions o, FrontendBuilder f, String backend) {
        f.backend(backend).clientTimeout(o.clientTimeout).maxConnections(o.frontendMaxConnections)
                .inspectDelay(o.inspectDelay).tlsHandshakeTimeout(o.tlsHandshakeTimeout).backlog(o.backlog)
                .sourceLimits(o.sourceLimits())
                .maxKeyConnectionRate(o.maxKeyConnectionRate);
        if (!o.trustedProxies.isEmpty()) {
            f.acceptProxy(o.trustedProxies);
        } else {
            f.acceptProxy(o.acceptProxy);
        }
        if (o.maxConnectPacket > 64 * 1024) {
            f.inspectMaxBytes(o.maxConnectPacket); // the frontend must read that much for the inspector to judge it
        }
        o.priorities.forEach(f::priority);
        o.routes.forEach(f::route);
        if (o.sniPassthrough) {
            f.keyExtractor(SniPassthrough.routeByServerName());
        } else if (o.mqttInspection) {
            f.keyExtractor(extractor(o, inspector(o)));
        }
    }

    /** The CONNECT inspector, inside the client's WebSocket frames when the frontend speaks WebSocket. */
    private static KeyExtractor extractor(GatewayOptions o, ConnectInspector inspector) {
        if (!o.webSocket) {
            return inspector;
        }
        WebSocketInspector ws = Mqtt.overWebSocket(inspector, o.webSocketPath);
        return o.maxConnectPacket > 0
                ? new WebSocketInspector(inspector, ws.settings().withMaxFirstMessageBytes(Math.max(2, o.maxConnectPacket)))
                : ws;
    }

    private static ConnectInspector inspector(GatewayOptions o) {
        ConnectInspector inspector = Mqtt.connectInspector().withConnackReplies(o.connackReplies)
                .withKeepAliveTimeout(o.keepAliveFactor, KEEP_ALIVE_MINIMUM)
                .withWillOnBalancerEnd(o.willOnBalancerEnd);
        return o.maxConnectPacket > 0 ? inspector.withMaxPacketSize(o.maxConnectPacket) : inspector;
    }

    /** With hash stickiness the key picks the broker (no table, the same on every gateway). */
    static Supplier<? extends Balancer> balancer(GatewayOptions o) {
        if (o.stickiness.equals("hash") && !o.balancer.equals("rendezvous")) {
            return ConsistentHash::new;
        }
        return switch (o.balancer) {
            case "roundrobin" -> RoundRobin::new;
            case "static-rr" -> StaticRoundRobin::new;
            case "first" -> FirstAvailable::new;
            case "random" -> PowerOfTwoChoices::new;
            case "source" -> SourceHash::new;
            case "consistent" -> ConsistentHash::new;
            case "rendezvous" -> RendezvousHash::new;
            default -> LeastConnections::new;
        };
    }

    private static Duration fast(Duration interval) {
        return interval.dividedBy(4).isZero() ? interval : interval.dividedBy(4);
    }

    private static Duration timeout(Duration interval) {
        Duration half = interval.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : half.isZero() ? interval : half;
    }
}
