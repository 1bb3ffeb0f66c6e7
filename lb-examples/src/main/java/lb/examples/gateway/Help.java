package lb.examples.gateway;

/** The gateway's --help text, written to read like a manual page. */
final class Help {
    private Help() {
    }

    static final String TEXT = """
            NAME
                mqtt-gateway - an MQTT-aware TCP load balancer in front of MQTT brokers

            SYNOPSIS
                mqtt-gateway                                  (the demo on in-process brokers)
                mqtt-gateway --listen HOST:PORT --backends HOST:PORT,HOST:PORT,...
                mqtt-gateway --server NAME=HOST:PORT[,OPTION=VALUE...] ... [FLAGS]
                mqtt-gateway --config FILE [FLAGS]
                mqtt-gateway --check-config FILE

            DESCRIPTION
                Accepts MQTT clients, reads each CONNECT, and sends the client to a broker:
                the same client id to the same broker (stickiness), the least loaded broker
                otherwise. Brokers are health-checked with MQTT CONNECT/CONNACK; a broker that
                fails is taken out of rotation until it passes again. Malformed CONNECTs never
                reach a broker. Statistics are served as an HTML page, JSON and Prometheus
                metrics.

                With no flags, runs the demo: three in-process brokers behind the balancer on
                127.0.0.1:1883, a short built-in load (clients connect, publish, reconnect, a
                broker dies and comes back), a report of what happened, and then it keeps
                serving so any MQTT client can connect, until Ctrl-C or --duration.

            BROKERS
                --backends HOST:PORT,...   brokers named broker-1, broker-2, ...
                --server NAME=HOST:PORT[,weight=N][,maxconn=N][,source=ADDR:LOW-HIGH][,proxy=v1|v2]
                         [,check-port=N]   one broker (repeatable). weight 0..256 (default 1);
                                           maxconn: most tunnels to it (0 = no limit); source:
                                           connect from ADDR using local ports LOW..HIGH
                                           (repeatable; each source adds a range per broker);
                                           proxy: send a PROXY protocol header first;
                                           check-port: health-check it on this port.
                --server-template NAME=HOST:PORT[,count=N][,OPTION=VALUE...]
                                           brokers found by name (a Kubernetes headless
                                           service, a DNS round robin): one server per
                                           address HOST resolves to, named NAME-ADDRESS
                                           (broker-10.0.0.11), at most count (default: all),
                                           each with the --server options. Looked up again
                                           every --resolve-interval: a new address is added,
                                           a vanished one drained (--drain-on-remove), as a
                                           reload would (logged resolve_applied); a failed
                                           lookup keeps the servers known (resolve_failed)
                --resolve-interval DURATION
                                           how often (default 10s)

            LISTENING
                --listen HOST:PORT         address for MQTT clients (repeatable;
                                           default 127.0.0.1:1883)
                --accept-proxy             clients arrive through an L4 balancer that sends a
                                           PROXY header (v1 or v2), and every peer is trusted
                                           to send one: only where no one else can reach the
                                           port (a header claims any address it likes)
                --trusted-proxies CIDR,... only peers in these networks (the L4 balancers)
                                           send, and must send, a PROXY header; its address
                                           is then the client's. Other peers are served as
                                           themselves, and a header from one is refused
                                           (PROXY_UNTRUSTED)
                --backlog N                connections the kernel queues while the listener
                                           is at its limit (default 4096; the kernel caps it
                                           at net.core.somaxconn, which is logged)
                --max-connections N        most tunnels in the process (default: from the
                                           open-file limit and the heap, 6 KiB a tunnel)
                --memory-budget SIZE       most bytes clients may make the gateway hold
                                           (first bytes of clients, buffers of slow ones),
                                           e.g. 64m; past three quarters new clients are
                                           refused with CONNACK "server busy" (default:
                                           half the smaller of -Xmx and the direct-memory
                                           limit)
                --frontend-max-connections N
                                           most tunnels on the MQTT listener (0 = no limit);
                                           beyond it clients wait in the kernel backlog
                --max-connect-rate N       send each broker at most N new clients a second
                                           (0 = no limit), so a restarted broker is not
                                           flattened by a reconnect storm: the rest wait in
                                           the queue (up to 10s), then hear CONNACK "server
                                           busy"; ramps up with a recovering broker

            PER-SOURCE LIMITS
                A source is a block of client addresses: its /24 (IPv4) or /64 (IPv6)
                unless told otherwise. Clients are counted when accepted, before their
                CONNECT is read, so silent ones hold no more than their source's share;
                behind --trusted-proxies, by the address the PROXY header gives. Refused
                clients get CONNACK "connection rate exceeded" (5.0 0x9F) or "quota
                exceeded" (0x97), 3.1.1 clients "server unavailable", once their CONNECT
                arrives (within a second).
                --max-connections-per-source N
                                           live connections one source may hold (default 0:
                                           no limit); refusals end as SOURCE_LIMITED
                --max-connection-rate-per-source N[/DURATION]
                                           new connections per source within DURATION
                                           (default 1s), refused ones included (default 0:
                                           no limit); refusals end as SOURCE_RATE_LIMITED
                --source-prefix V4,V6      prefix lengths of a source (default 24,64;
                                           32,128 counts each address alone)
                --source-table-size N      sources counted at once (default 65536); past it
                                           new sources go uncounted (and that is counted)
                --source-table-expire DURATION
                                           forget a source without connections after this
                                           long (default 1m)

            PRIORITY
                --priority LEVEL:key=REGEX | LEVEL:user=REGEX | LEVEL:net=CIDR,... | LEVEL:cert=REGEX
                                           put clients whose whole client id, or user name,
                                           or TLS client certificate subject (e.g.
                                           CN=gw-.*,O=Acme) matches REGEX, or whose address
                                           is in a network, in class LEVEL (1..7; everyone else is
                                           in 0). Repeatable; the first match wins. When
                                           every broker is full (maxconn), higher classes
                                           leave the queue first
                --queue-priority-burst N   while a lower class waits, at most N clients of
                                           higher classes go in a row before one of it
                                           (default 4: a fifth of the slots), so none starves

            TLS
                --tls-cert FILE            terminate TLS for MQTT clients (MQTT over TLS) with
                                           this certificate chain: PEM (leaf first; with the
                                           key too unless --tls-key is given) or a PKCS#12
                                           file (.p12, .pfx; --tls-key-password). Repeatable:
                                           the certificate whose names match the host a client
                                           asks for (SNI) is used, the first one otherwise
                --tls-key FILE             its private key, PEM (PKCS#8, PKCS#1 RSA, SEC1 EC);
                                           one per --tls-cert, in the same order
                --tls-listen HOST:PORT     address for TLS clients (repeatable; default
                                           127.0.0.1:8883 with --tls-cert)
                --tls-client-ca FILE       CA certificates (PEM) client certificates must chain
                                           to: mutual TLS
                --tls-client-auth required|optional|none
                                           with --tls-client-ca: required (default) or optional
                --tls-client-id-from-cert  with --tls-client-ca: a CONNECT's client id must be
                                           the certificate's common name or one of its DNS
                                           names, or it is refused (CONNACK not authorized)
                --tls-alpn LIST            ALPN protocols offered, e.g. mqtt (default: none)
                --tls-protocols LIST       default TLSv1.3,TLSv1.2
                --tls-reload-interval DURATION
                                           check the files this often and use changed ones for
                                           new clients, without a restart (default 10s; 0 = off)
                --server-tls-ca FILE       speak TLS to the brokers (and health-check them over
                                           TLS), trusting these CA certificates (PEM)
                --server-tls-cert FILE --server-tls-key FILE
                                           the certificate to present to brokers that ask
                --server-tls-no-verify-host
                                           do not require a broker's certificate to name the
                                           host connected to (its CA is still checked)
                --tls-handshake-timeout DURATION
                                           how long a client may wait for its turn and finish
                                           its handshake (default 60s); the inspect delay for
                                           its CONNECT counts from the finished handshake
                --tls-handshakes-per-loop N
                                           handshakes each event loop runs at once (default
                                           256); in a reconnect storm the rest wait their
                                           turn, oldest first, so handshakes finish steadily
                                           instead of all late together
                --sni-passthrough          do not terminate TLS: read the server name (SNI)
                                           of each client's ClientHello, use it as the key
                                           (stickiness, routes) and pass the bytes through
                                           untouched to brokers that terminate TLS; their
                                           backend is then checked by TCP unless told
                A failed or stalled handshake (plain MQTT or HTTP on the TLS port, a bad
                client certificate) is closed within --inspect-delay of its turn and counted;
                nothing of it reaches a broker. Brokers see decrypted MQTT.

            WEBSOCKET
                --websocket                clients speak MQTT over WebSocket (ws://, or wss://
                                           on the --tls-listen addresses), and the brokers
                                           given are their WebSocket listeners. The gateway
                                           answers the upgrade itself (subprotocol mqtt, or
                                           mqttv3.1; no extensions), reads the CONNECT inside
                                           the first frames and routes by client id as over
                                           TCP; the broker is sent the upgrade and the frames
                                           unchanged, and its 101 is checked, not relayed.
                                           A bad upgrade is answered 400, 404 (path), 426
                                           (version) or 431 (a head over 8 KiB); a bad
                                           frame with a close frame (1002, 1003 text, 1009
                                           too big); CONNACK refusals go in a binary frame.
                                           Health defaults to tcp (mqtt cannot
                                           check a WebSocket port); tunnels end by closing,
                                           with no DISCONNECT (see SHUTDOWN)
                --websocket-path PATH      accept upgrades for this request path only, e.g.
                                           /mqtt (default: any path)

            ROUTING
                --balancer NAME            leastconn (default), roundrobin, static-rr, first,
                                           random (power of two choices), source, consistent,
                                           rendezvous
                --stickiness table|hash|none
                                           table (default): remember client id -> broker;
                                           hash: consistent hash of the client id, no table,
                                           identical on every gateway instance; none
                --stick-capacity N         client ids remembered (default 200000)
                --stick-expire DURATION    forget an id unused this long (default 30m)
                --no-inspection            plain TCP: do not read CONNECTs (no stickiness by id)
                --no-connack-replies       close refused clients without a CONNACK

            HEALTH
                --health mqtt|tcp|none     check brokers with MQTT CONNECT (default), TCP
                                           connect, or not at all
                --health "http [GET] PATH" check with an HTTP/1.1 GET of PATH (default /),
                                           passing on a 2xx status, e.g. EMQX's
                                           /api/v5/load_rebalance/availability_check (503
                                           while the node is evacuated); a failure names
                                           the status seen, or the reply as malformed
                --health-expect-status S   the status that passes: 200, a class like 2xx
                                           (default) or a range like 200-399
                --health-expect-body TEXT  the body must also contain TEXT
                --health-host NAME         the Host header (default: the checked address)
                --health-port PORT         check every broker on this port of its address
                                           (a readiness port of its own) instead of its
                                           MQTT port; a server's check-port=N wins
                --health-no-tls            check in plain text even when the brokers are
                                           spoken to over TLS (--server-tls-ca): for a
                                           readiness port without TLS
                --health-interval DURATION between checks (default 2s; 4x faster while a
                                           broker is changing state)
                --health-rise N            passes to bring a broker back (default 2)
                --health-fall N            failures to take a broker out (default 3)

            TIMEOUTS
                --client-timeout DURATION  idle client (default 10m)
                --keepalive-factor X       instead, idle client = X times its MQTT keep-alive,
                                           at least 30s (default 1.5; 0 = off)
                --server-timeout DURATION  idle broker side (default 2h)
                --connect-timeout DURATION connecting to a broker (default 5s)
                --inspect-delay DURATION   for a client to send its CONNECT (default 5s)

            STATISTICS
                --stats HOST:PORT          stats page, /stats.json and /metrics
                                           (default 127.0.0.1:1936)
                --stats-user USER --stats-password PASSWORD
                                           require HTTP basic authentication
                --no-stats                 no statistics endpoint
                --connection-log           one log line per finished tunnel
                                           The page and /metrics also show each listening
                                           address's kernel accept queue (n/a where the
                                           platform does not show it), per priority class
                                           the queue's waits, and the host's listen drops;
                                           connect and queue times (histograms in /metrics,
                                           p50/p90/p99 estimated from them on the page),
                                           peak connections, the version and start time.
                                           grafana/mqtt-gateway.json in the distribution is
                                           a Grafana dashboard over /metrics.

            SHUTDOWN
                On SIGTERM (or at the end of --duration) the gateway stops accepting and ends
                its tunnels a few at a time: each client's broker hears DISCONNECT in the
                client's name (so it publishes no will: the client is not gone, it reconnects
                elsewhere), an MQTT 5 client hears DISCONNECT "server shutting down" (0x8B),
                an MQTT 3.1.1 client sees its connection end after the broker's last whole
                packet. The same happens to a broker's clients when it is removed (0x9C "use
                another server").
                --shutdown-grace DURATION  how long ending every tunnel may take (default 20s;
                                           keep it 2s or more under the supervisor's stop
                                           timeout: systemd's unit has 30s, docker stop 10s)
                --shutdown-rate N          end at most N clients a second (default 0: spread
                                           evenly over the grace); those left when the grace
                                           is over end together
                --will-on-balancer-end     let brokers publish the wills of clients the
                                           gateway ends (3.1.1: no DISCONNECT is sent;
                                           5.0: DISCONNECT 0x04 "with will message")

            OTHER
                --event-loops N            I/O threads (default: half the processors, rounded up)
                --reuse-port               every event loop listens on each address with
                                           SO_REUSEPORT, and the kernel spreads new clients
                                           over them: several gateway processes started
                                           with it (by the same user) share the addresses,
                                           for more connections than one process's open-file
                                           limit allows; use --stickiness hash so that all
                                           agree on each client id's broker
                --config FILE              read any of these flags from a properties file:
                                           one KEY=VALUE per line, KEY without the dashes;
                                           server=... takes several servers separated by ';',
                                           listen=... several addresses separated by ',',
                                           priority=... several rules separated by ';'.
                                           Flags on the command line win.
                --duration DURATION        stop after this long (default: until Ctrl-C)
                --demo                     run the demo even with other flags
                --demo-clients N           clients in the demo's load (default 2000)
                --help                     this text

            CONFIGURATION FILE
                --config FILE              either KEY=VALUE lines (the flags without dashes,
                                           one frontend "mqtt", one backend "brokers"), or
                                           sections, told apart by the first line:
                                             global              process-wide keys
                                             frontend NAME       listen HOST:PORT (repeat),
                                                                 backend NAME, client keys,
                                                                 route PATTERN BACKEND
                                                                 (repeat; the first whose
                                                                 PATTERN matches the key,
                                                                 a client id or a TLS
                                                                 server name, sends the
                                                                 client to BACKEND:
                                                                 KEY, PREFIX* or *SUFFIX)
                                             backend NAME        server NAME HOST:PORT
                                                                 [weight=N] [maxconn=N]
                                                                 [source=ADDR:LOW-HIGH]
                                                                 [proxy=v1|v2]
                                                                 [check-port=N],
                                                                 server-template NAME
                                                                 [COUNT] HOST:PORT
                                                                 [options], backend keys
                                           A line is KEY VALUE; '#' starts a comment; section
                                           headers start a line, keys are indented. A frontend
                                           with tls-cert terminates TLS on its listen
                                           addresses. Every key, and which section takes it:
                                           conf/mqtt-gateway.conf in the distribution. Errors
                                           name FILE:LINE and the key.
                --check-config FILE        validate FILE as a start would (TLS files too,
                                           nothing bound) and print the frontends, their
                                           addresses, the backends and their servers; exit 0,
                                           or print the reason and exit 2

            MORE BACKEND KEYS
                --slow-start DURATION      a recovered server's weight ramps up over this
                                           long (default 0: at once; needs health checks)
                --observe-failed-connects N
                                           mark a server down after N failed tunnel connects
                                           in a row, before the next check (default 0: off)
                --close-on-down            close a server's tunnels when it is marked down,
                                           so its clients reconnect elsewhere at once
                --health-send-proxy v1|v2|none
                                           PROXY header (command LOCAL) before each check
                                           (default: the one every server gets, if all do)
                --max-queue N              clients that may wait when every server is full
                                           (default 10000; 0 refuses them at once)
                --queue-timeout DURATION   how long one may wait (default 10s)
                --key-rate-period DURATION the period of --max-key-connection-rate
                                           (default 10s)
                --drain-on-remove DURATION how long a server removed by a reload or by DNS
                                           keeps its tunnels before they are ended
                                           (default 30s)
                --rebalance-on-add         after a broker is added (a reload, DNS, the admin
                                           API), wait until it passed its health checks (and
                                           any slow start), then move clients to it from the
                                           brokers above their share, once; off by default
                --rebalance-tolerance F    how far (a fraction of its share) a broker may be
                                           from its share before clients move (default 0.1)
                --rebalance-rate N         clients moved a second (default 100); both also
                                           the admin rebalance's defaults

            MORE FRONTEND KEYS
                --max-key-connection-rate N
                                           refuse a client id that connected more than N
                                           times within the key rate period (a reconnect
                                           loop) with CONNACK 5.0 0x9F / 3.1.1 "server
                                           unavailable"; needs stickiness table (0: off)
                --max-connect-packet BYTES largest CONNECT accepted; a larger one gets its
                                           version's CONNACK (5.0 0x95 "packet too large")
                                           (default 0: the parser's own limit)

            RUN-TIME CHANGES
                SIGHUP and the admin endpoint's POST /reload read the configuration again
                (the same flags; the --config file anew) and apply the difference: new and
                removed frontends, servers (removed ones drain), weights, limits, timeouts.
                Established tunnels to servers that stay are untouched. Each change is
                logged (reload_applied, reload_not_applied: needs a restart); a file that
                does not parse or validate is refused whole (reload_refused, with the
                reason) and the running configuration stays. Changes made through the admin
                endpoint last until the next reload.
                --admin [HOST:]PORT        serve the admin endpoint (default: off; a bare
                                           port is on loopback). JSON over HTTP:
                                           GET /servers; GET, POST (weight=N,
                                           state=ready|drain|maintenance, health=up|down),
                                           PUT (address=HOST:PORT [weight=N] [maxconn=N]),
                                           DELETE ([drain=DURATION], default 30s)
                                           /backends/B/servers/S; POST /reload;
                                           POST /backends/B/rebalance ([tolerance=0.1]
                                           [rate=N, default 100]): after brokers were
                                           added or came back, move clients from those
                                           above their share to those below, N a second,
                                           each told goodbye (MQTT 5: 0x9C use another
                                           server) and re-pointed in the stick table.
                                           401 without credentials, 400 with the reason,
                                           404, 405, 409 when adding an existing server
                --admin-user NAME, --admin-password SECRET
                                           its own basic-auth credentials (required with
                                           --admin; put them in the --config file rather than
                                           on the command line, where ps shows them)

            LOGS
                --log-format text|json     text: "TIME LEVEL EVENT MESSAGE", json: one object
                                           per line (time, level, event, message); TIME is
                                           ISO 8601 with date and zone offset
                                           (2026-12-01T10:15:30.123+01:00). The connection
                                           log (--connection-log) is a line per tunnel in
                                           the same form; its message keeps HAProxy's tcplog
                                           order: client:port [accepted] frontend
                                           backend/server Ti/Tw/Tc/Tt bytes-in/bytes-out
                                           termination attempts=N key="client id"
                                           (an inspect time first, bytes both ways, the
                                           termination by name; no %ac/%fc/%bc/%sc/%rc or
                                           queue positions: they are in /metrics).

            DURATIONS
                500ms, 30s, 10m, 2h, 1d; a bare number means seconds.

            EXIT STATUS
                0 stopped normally, 1 failed (for example a port in use), 2 bad flags,
                70 an event loop died of an error it could not contain (out of memory, say):
                   restart the gateway (systemd Restart=on-failure does).

            EXAMPLES
                mqtt-gateway --listen 0.0.0.0:1883 --backends 10.0.0.11:1883,10.0.0.12:1883
                mqtt-gateway --listen 0.0.0.0:1883 --tls-listen 0.0.0.0:8883 --tls-cert chain.pem \\
                    --tls-key key.pem --tls-alpn mqtt --backends 10.0.0.11:1883,10.0.0.12:1883
                mqtt-gateway --server a=10.0.0.11:1883,weight=2 --server b=10.0.0.12:1883 \\
                    --stickiness hash --health-interval 5s --stats 127.0.0.1:1936
                mqtt-gateway --listen 0.0.0.0:1883 --trusted-proxies 10.0.5.0/24 \\
                    --server a=10.0.0.11:1883,maxconn=50000 \\
                    --server b=10.0.0.12:1883,maxconn=50000 \\
                    --max-connections-per-source 500 --max-connection-rate-per-source 100/10s \\
                    --priority 2:key=ctrl-.* --priority 1:net=10.20.0.0/16
            """;
}
