package lb.core.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import lb.core.balance.Balancer;
import lb.core.balance.KeyHash;
import lb.core.config.Network;
import lb.core.limit.BackendQueue;
import lb.core.limit.ConnectRate;
import lb.core.limit.SourcePorts;
import lb.core.limit.SourceTable;
import lb.core.model.ClientFacts;
import lb.core.model.KeyExtractor;
import lb.core.model.PacketFraming;
import lb.core.model.Pick;
import lb.core.model.RejectReason;
import lb.core.model.Termination;
import lb.core.model.TlsFacts;
import lb.core.model.TunnelEvent;
import lb.core.model.Verdict;
import lb.core.proxy.DecodeResult;
import lb.core.proxy.ProxyFormat;
import lb.core.proxy.ProxyHeader;
import lb.core.proxy.ProxyHeaderDecoder;
import lb.core.proxy.Tlv;
import lb.core.proxy.TlsTlvs;
import lb.core.stick.StickTable;
import lb.core.tls.Handshake;
import lb.core.tls.ReloadableServerEngines;
import lb.core.tls.TlsFailure;
import lb.core.tls.UpstreamEngines;

/**
 * One client, the server chosen for it, and the bytes between them. Owned by one loop for its
 * whole life: both sockets are registered on that loop's selector.
 *
 * <pre>
 * accept -(TLS)-> HANDSHAKING --done--+
 *   |                                 v
 *   +-------------------------> INSPECTING --route--> (pick) --picked--> CONNECTING --connected--> FORWARDING
 *              |   |                 |  ^                |                         |
 *              |   |          all full  | slot freed     | failed: retry, then     | one side ended
 *              |   |                 v  |                | redispatch (last retry) v
 *              |   |               QUEUED               |                     HALF_CLOSED
 *              |   +--reject + reply--> LINGERING        |                         |
 *              v                           |             v                         v
 *            CLOSED <----------------------+-------------+--- both ended, or timeout
 *              ^
 *              +--- both sides ended, or timeout --- ENDING <-- the balancer ends it (shutdown,
 *                                                               server removed or down, rebalance)
 * </pre>
 *
 * <p>The tunnel is its own (single) timer: inspect delay, queue timeout, connect timeout, idle
 * timeouts, half-close timeout or linger, whichever its state calls for. Idle timeouts are
 * re-armed lazily: I/O only records the time, and the timer, when it fires early, re-arms for
 * the remainder. A tunnel holds a pooled buffer only while bytes wait to be written (or while
 * its client's first bytes are being inspected).
 *
 * <p>On a frontend that terminates TLS the client's end is a {@link TlsEnd}: a PROXY
 * header, if expected, is read in the clear first, then the handshake runs (HANDSHAKING, within
 * the inspect delay, once the loop's {@link HandshakeSlots} gave it a turn: a client that sent
 * its hello while all were taken waits, within the TLS handshake timeout), and from then on
 * inspection (within a new inspect delay) and the relays see decrypted bytes.
 *
 * <p>When the key extractor gives the tunnel a {@link PacketFraming}, both relays track where
 * the current packet ends. Ending such a tunnel itself ({@link #end}), the balancer does not cut
 * it: each direction forwards the rest of its current packet, then sends the framing's farewell
 * (for MQTT, a DISCONNECT to the broker in the client's name, and one to a 5.0 client) and its
 * end, and the tunnel closes once both peers have closed too (ENDING, bounded by
 * {@link #ENDING_NS}). Without framing, or before forwarding, ending is closing.
 *
 * <p>A verdict may carry a greeting, sent to the client once before inspection goes on, bytes
 * to forward in place of those inspected, and a check of the server's answer to them
 * ({@link ServerAnswer}: only the request part goes first, the rest waits, and the answer is
 * dropped). This is how a WebSocket upgrade is answered by the balancer and replayed to the
 * server (lb.core.websocket) with no protocol code here.
 */
final class Tunnel extends TimerWheel.Timeout implements Handler, BackendQueue.Waiter {
    private static final System.Logger LOG = System.getLogger(Tunnel.class.getName());
    /** After a reject with a reply, how long to drain the client so the reply is not reset. */
    private static final long LINGER_NS = 1_000_000_000L;
    private static final int PICK_RACE_RETRIES = 4;
    private static final ProxyHeaderDecoder PROXY_DECODER = new ProxyHeaderDecoder();
    /** How long a client refused by a per-source limit may take to send what its answer needs. */
    private static final long REFUSAL_READ_NS = 1_000_000_000L;
    /**
     * Per loop, the most refused clients kept for an answer at once: a flood from one source
     * costs at most this many descriptors and slots for a second, the rest are closed at once.
     */
    static final int MAX_REFUSALS_ANSWERING = 64;
    /**
     * How long a clean end may take: the rest of a packet each way, the farewells, and the peers
     * closing after them (a broker closes on DISCONNECT at once). Then the tunnel is cut.
     */
    static final long ENDING_NS = 2_000_000_000L;

    enum State { HANDSHAKING, INSPECTING, QUEUED, CONNECTING, FORWARDING, HALF_CLOSED, ENDING, LINGERING, CLOSED }

    private final EventLoop loop;
    private final LiveFrontend frontend;
    /** The frontend's backend until the tunnel is routed, then the one its key routes to. */
    private LiveBackend backend;
    private final SocketChannel client;
    private final Relay up = new Relay();
    private final Relay down = new Relay();
    private SelectionKey clientKey;
    /** The client's TLS end when the frontend terminates TLS, else null. */
    private TlsEnd tls;
    /** The server's TLS end when the backend re-encrypts, else null. */
    private TlsEnd serverTls;
    /** Where the client's TLS handshake stands in its loop's {@link HandshakeSlots}. */
    private byte handshakeTurn;
    private static final byte TURN_NONE = 0;
    private static final byte TURN_WAITING = 1;
    private static final byte TURN_HOLDING = 2;
    /** What the client's TLS handshake agreed on, once done; else null. */
    private TlsFacts tlsFacts;
    private SocketChannel serverChannel;
    /** The source-port range the server channel's port came from, or null (kernel's choice). */
    private SourcePorts sourcePorts;
    private int sourcePort;
    private SelectionKey serverKey;
    private LiveServer server;
    private LiveServer lastServer;
    private LiveServer avoid;
    private State state;
    private InetSocketAddress clientAddress;
    private String key;
    /**
     * The key as the stick table keeps it (a digest when the key is longer than the table's
     * limit), made once when the tunnel is routed; null without a key or a table.
     */
    private String stickKey;
    /** The stick key was counted in the table's per-key counters, to be released on close. */
    private boolean keyCounted;
    private long keyHash;
    /** The priority class the frontend's rules gave it when it was routed (0 before). */
    private int priority;
    /** The client timeout the extractor set for this tunnel (e.g. from MQTT keep-alive); 0 = the frontend's. */
    private long clientTimeoutNs;
    /** How the tunnel's packets frame, as its key extractor said; null forwards bytes unexamined. */
    private PacketFraming framing;
    /** The client's first bytes while inspected (null before and after). */
    private FirstBytes inspected;
    /** The client has had the greeting a verdict carried (a WebSocket 101): no second one. */
    private boolean greeted;
    /** The server's answer to the forwarded bytes while it is awaited; else null. */
    private ServerAnswer serverAnswer;
    private boolean awaitingProxyHeader;
    /** The client is not trusted to send a PROXY header, and its first bytes have not shown it sent none. */
    private boolean screeningProxy;
    /** The address the client reached, as a PROXY header in front of us said; else null. */
    private InetSocketAddress proxiedDestination;
    /** The block of client addresses this tunnel is counted in by the per-source limits, or null. */
    private SourceTable.Block sourceBlock;
    /** Why the client is refused while its first bytes are read for an answer; else null. */
    private Termination refusal;
    private String refusalDetail;
    private int attempts;
    private Termination firstEnd;
    private Termination lingerReason;
    private String lingerDetail;
    /** Index in the loop's tunnel array. */
    int slot;
    private final TunnelLedger ledger;

    Tunnel(EventLoop loop, LiveFrontend frontend, SocketChannel client) {
        this.loop = loop;
        this.frontend = frontend;
        this.backend = frontend.backend();
        this.client = client;
        this.ledger = new TunnelLedger(loop.counters, frontend, loop.nowNs());
    }

    /** The server this tunnel holds a slot on, or null. */
    LiveServer server() {
        return server;
    }

    /** The routing key, or null. */
    String key() {
        return key;
    }

    /** The routing key as the backend's stick table keeps it, or null. */
    String stickKey() {
        return stickKey;
    }

    /** True while bytes flow between client and server (one side may have finished). */
    boolean isForwarding() {
        return state == State.FORWARDING || state == State.HALF_CLOSED;
    }

    /** True from the moment the balancer began ending it (or it closed). */
    boolean isEnding() {
        return state == State.ENDING || state == State.CLOSED;
    }

    void start() {
        long now = loop.nowNs();
        up.source = client;
        down.sink = client;
        up.lastSourceActivityNs = now;
        down.lastSinkActivityNs = now;
        state = State.INSPECTING;
        try {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (frontend.tcpKeepAlive()) {
                client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            clientAddress = (InetSocketAddress) client.getRemoteAddress();
            clientKey = client.register(loop.selector, 0, this);
        } catch (IOException e) {
            close(Termination.CLIENT_ERROR, e.getMessage());
            return;
        }
        boolean trusted = frontend.acceptProxy() && frontend.trustsProxyFrom(clientAddress.getAddress());
        awaitingProxyHeader = trusted;
        ReloadableServerEngines engines = frontend.tls();
        // behind TLS, a PROXY header from an untrusted peer fails the handshake as not TLS
        screeningProxy = frontend.acceptProxy() && !trusted && engines == null;
        if (!trusted && !admitSource()) {
            return;
        }
        if (engines != null) {
            tls = new TlsEnd(client, engines.newEngine(), loop);
            up.tlsSource = tls;
            down.tlsSink = tls;
            state = State.HANDSHAKING;
            clientKey.interestOps(SelectionKey.OP_READ);
            loop.timers.schedule(this, now + frontend.inspectDelayNs());
        } else if (awaitingProxyHeader || screeningProxy || frontend.keyExtractor() != null) {
            clientKey.interestOps(SelectionKey.OP_READ);
            loop.timers.schedule(this, now + frontend.inspectDelayNs());
        } else {
            ledger.routed(now, backend);
            keyHash = KeyHash.of(clientAddress.getAddress());
            classify(null, null);
            route();
        }
    }

    @Override
    public void onReady(SelectionKey k) {
        if (k == clientKey) {
            onClientReady(k.readyOps());
        } else {
            onServerReady(k.readyOps());
        }
        if (state == State.FORWARDING || state == State.HALF_CLOSED) {
            afterIo();
        } else if (state == State.ENDING) {
            afterEndingIo();
        }
    }

    /** Something this tunnel ran threw (a plug-in, or a bug); the loop logged it. Only this tunnel ends. */
    @Override
    public void onFault(RuntimeException fault) {
        close(Termination.INTERNAL_ERROR, fault.toString());
    }

    @Override
    public void onTimeoutFailed(RuntimeException fault) {
        onFault(fault);
    }

    private void onClientReady(int ready) {
        if (tls != null && (ready & SelectionKey.OP_WRITE) != 0 && !flushTls()) {
            return;
        }
        switch (state) {
            case HANDSHAKING -> onHandshaking();
            case INSPECTING -> onInspectable();
            case LINGERING -> onLingerReadable();
            case FORWARDING, HALF_CLOSED, ENDING -> {
                if ((ready & SelectionKey.OP_WRITE) != 0 && down.hasPending()
                        && !ok(down.onWritable(loop, loop.nowNs(), framing), down)) {
                    return;
                }
                if ((ready & SelectionKey.OP_READ) != 0) {
                    read(up);
                }
            }
            default -> setInterest(clientKey, false, tls != null && tls.hasUnsent()); // queued or connecting
        }
    }

    /** Writes the server's waiting TLS records; false if that failed and the tunnel closed. */
    private boolean flushServerTls() {
        try {
            serverTls.flush();
            return true;
        } catch (IOException e) {
            close(Termination.SERVER_ERROR, e.getMessage());
            return false;
        }
    }

    /**
     * The server side wants the socket writable: bytes wait for it, or TLS records do. Bytes
     * for a server still in its TLS handshake wait for its answer, not for room to write.
     */
    private boolean serverWantsWrite() {
        boolean bytesWait = up.hasPending() && (serverAnswer == null || serverAnswer.hasUnsentRequest());
        if (serverTls == null) {
            return bytesWait;
        }
        return serverTls.hasUnsent() || (bytesWait && serverTls.isHandshakeDone());
    }

    /** Writes the client's waiting TLS records; false if that failed and the tunnel closed. */
    private boolean flushTls() {
        try {
            tls.flush();
            return true;
        } catch (IOException e) {
            close(Termination.CLIENT_ERROR, e.getMessage());
            return false;
        }
    }

    private void onServerReady(int ready) {
        if (serverTls != null && (ready & SelectionKey.OP_WRITE) != 0 && !flushServerTls()) {
            return;
        }
        switch (state) {
            case CONNECTING -> onConnectable();
            case FORWARDING, HALF_CLOSED, ENDING -> {
                if ((ready & SelectionKey.OP_WRITE) != 0 && up.hasPending() && !writeUp(loop.nowNs())) {
                    return;
                }
                if ((ready & SelectionKey.OP_READ) != 0) {
                    if (serverAnswer != null) {
                        onServerAnswer();
                    } else {
                        read(down);
                    }
                }
            }
            default -> { }
        }
    }

    /** Relays what {@code relay}'s source sent; while ending, only up to the packet's end, then drops it. */
    private void read(Relay relay) {
        if (relay.ending == Relay.DISCARDING) {
            relay.discard(loop.readBuffer);
        } else if (relay.wantsRead()) {
            ok(relay.onReadable(loop, loop.nowNs(), framing), relay);
        }
    }

    /**
     * Closes on a failed relay step; true if the tunnel is still open. While ending, a failure
     * only cuts the end short: the tunnel closes for the reason it was being ended.
     */
    private boolean ok(Relay.Outcome outcome, Relay relay) {
        if (outcome == Relay.Outcome.OK) {
            return true;
        }
        String side = relay == up ? "client" : "server";
        String fault = outcome == Relay.Outcome.MALFORMED ? side + " sent bytes that are no packet: "
                + framing.malformation(relay.frameState) : loop.relayFailure.getMessage();
        if (state == State.ENDING) {
            close(lingerReason, lingerDetail == null ? fault : lingerDetail + "; " + fault);
            return false;
        }
        if (outcome == Relay.Outcome.MALFORMED) {
            close(Termination.FRAMING_INVALID, fault);
            return false;
        }
        boolean clientSide = (relay == up) == (outcome == Relay.Outcome.SOURCE_FAILED);
        if (loop.relayFailure instanceof TlsEnd.ClosedByPeer) {
            // a TLS 1.2 peer's close_notify ends the connection both ways: bytes for it have nowhere to go
            close(clientSide ? Termination.CLIENT_CLOSED : Termination.SERVER_CLOSED, null);
            return false;
        }
        close(clientSide ? Termination.CLIENT_ERROR : Termination.SERVER_ERROR, fault);
        return false;
    }

    private void afterIo() {
        ledger.bytes(up.bytes, down.bytes);
        if (up.isDone() && down.isDone()) {
            close(firstEnd != null ? firstEnd : Termination.CLIENT_CLOSED, null);
            return;
        }
        if (state == State.FORWARDING && (up.sourceEnded || down.sourceEnded)) {
            state = State.HALF_CLOSED;
            firstEnd = up.sourceEnded ? Termination.CLIENT_CLOSED : Termination.SERVER_CLOSED;
            loop.timers.schedule(this, loop.nowNs() + frontend.halfCloseTimeoutNs());
        }
        if (down.isDone() && framing != null && framing.serverEndEndsTunnel() && !(tls != null && tls.hasUnsent())) {
            // the server's last bytes reached the client: nothing it sends now has anywhere to go
            close(Termination.SERVER_CLOSED, null);
            return;
        }
        setInterest(clientKey, up.wantsRead(), down.hasPending() || (tls != null && tls.hasUnsent()));
        setInterest(serverKey, down.wantsRead(), serverWantsWrite());
    }

    private static void setInterest(SelectionKey k, boolean read, boolean write) {
        int ops = (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
        if (k.interestOps() != ops) {
            k.interestOps(ops);
        }
    }

    // ---- TLS handshake -----------------------------------------------------------------------

    /**
     * Reads a PROXY header in the clear if one is expected (what follows it is the start of the
     * TLS stream), then moves the handshake on with what the client sent.
     */
    private void onHandshaking() {
        if (handshakeTurn == TURN_NONE && !takeHandshakeTurn()) {
            return;
        }
        try {
            if (awaitingProxyHeader) {
                if (!readFirstBytes(PROXY_DECODER.maxHeaderBytes()) || !takeProxyHeader()) {
                    return;
                }
                ByteBuffer rest = inspected.view();
                up.bytes -= rest.remaining(); // the relays count decrypted bytes
                tls.feed(rest);
                releaseInspected();
            } else {
                tls.pull();
            }
        } catch (IOException e) {
            close(Termination.CLIENT_ERROR, e.getMessage());
            return;
        }
        afterHandshakeStep();
    }

    /**
     * The client sent its first bytes: its handshake starts now if the loop has a free slot;
     * else it waits, its bytes unread, until {@link #admitHandshake} (false: it waits).
     */
    private boolean takeHandshakeTurn() {
        if (loop.handshakes.tryTake()) {
            handshakeTurn = TURN_HOLDING;
            return true;
        }
        handshakeTurn = TURN_WAITING;
        clientKey.interestOps(0);
        loop.timers.schedule(this, loop.nowNs() + frontend.tlsHandshakeTimeoutNs());
        loop.handshakes.await(this);
        return false;
    }

    /** Its turn came (a slot freed): the handshake starts, bounded by the inspect delay. False if it is gone. */
    boolean admitHandshake() {
        if (state != State.HANDSHAKING || handshakeTurn != TURN_WAITING) {
            return false;
        }
        handshakeTurn = TURN_HOLDING;
        clientKey.interestOps(SelectionKey.OP_READ); // its hello is waiting: read on the next select
        loop.timers.schedule(this, loop.nowNs() + frontend.inspectDelayNs());
        return true;
    }

    private void releaseHandshakeTurn() {
        byte turn = handshakeTurn;
        handshakeTurn = TURN_NONE;
        if (turn == TURN_HOLDING) {
            loop.handshakes.release();
        }
    }

    private void afterHandshakeStep() {
        TlsFailure failure = tls.failure();
        if (failure != null) {
            ledger.tlsFailed(failure.reason());
            flushTls(); // the alert telling the client why, once, without waiting
            if (state == State.CLOSED) {
                return;
            }
            if (failure.reason() == TlsFailure.Reason.TRUNCATED) {
                close(Termination.CLIENT_ABORTED, "closed during the TLS handshake");
            } else {
                close(Termination.TLS_HANDSHAKE_FAILED, failure.toString());
            }
            return;
        }
        if (!tls.isHandshakeDone()) {
            if (tls.isInputDone()) {
                close(Termination.CLIENT_ABORTED, "closed during the TLS handshake");
            } else {
                setInterest(clientKey, true, tls.hasUnsent());
            }
            return;
        }
        ledger.tlsHandshake();
        releaseHandshakeTurn();
        Handshake h = tls.handshake();
        tlsFacts = new TlsFacts(h.protocol(), h.cipherSuite(), h.serverName(), h.applicationProtocol(),
                h.peerCertificates());
        state = State.INSPECTING;
        loop.timers.schedule(this, loop.nowNs() + frontend.inspectDelayNs()); // the first bytes inside TLS
        if (frontend.keyExtractor() == null) {
            routeWith(Verdict.ROUTE_WITHOUT_KEY);
            return;
        }
        setInterest(clientKey, true, tls.hasUnsent());
        if (tls.hasBufferedInput()) {
            onInspectable(); // the first bytes came with the handshake's last flight
        }
    }

    // ---- inspecting ------------------------------------------------------------------------

    /**
     * Reads the client's first bytes: a PROXY header first if the frontend expects one, then
     * what the key extractor needs. Everything after the PROXY header is kept for the server.
     */
    private void onInspectable() {
        do {
            inspectWhatCame();
        } while (state == State.INSPECTING && tls != null && tls.hasBufferedInput());
    }

    private void inspectWhatCame() {
        int cap = awaitingProxyHeader || screeningProxy
                ? Math.max(frontend.inspectMaxBytes(), PROXY_DECODER.maxHeaderBytes()) : frontend.inspectMaxBytes();
        if (refusal != null && inspected != null && inspected.size() >= cap) {
            close(refusal, refusalDetail);
            return;
        }
        if (!readFirstBytes(cap)) {
            return;
        }
        if (refusal != null) {
            answerRefusal();
            return;
        }
        if (awaitingProxyHeader && !takeProxyHeader()) {
            return;
        }
        if (screeningProxy && !screenProxyHeader()) {
            return;
        }
        if (frontend.keyExtractor() == null) {
            routeWith(Verdict.ROUTE_WITHOUT_KEY);
        } else if (inspected.size() > 0) {
            inspect(cap);
        }
    }

    /**
     * Reads what the client sent into the loop's read buffer and keeps it in {@link FirstBytes},
     * which grow only as bytes arrive, within the memory budget. False if the tunnel closed or
     * nothing new came.
     */
    private boolean readFirstBytes(int cap) {
        if (inspected == null) {
            inspected = new FirstBytes(loop.pool.budget());
        }
        int held = inspected.size();
        if (held >= cap) {
            close(Termination.INSPECT_TOO_LARGE, "no decision within " + cap + " bytes");
            return false;
        }
        ByteBuffer scratch = loop.readBuffer;
        scratch.clear().limit(Math.min(scratch.capacity(), cap - held));
        int n;
        try {
            n = tls != null && state != State.HANDSHAKING ? tls.read(scratch) : client.read(scratch);
        } catch (IOException e) {
            close(Termination.CLIENT_ERROR, e.getMessage());
            return false;
        }
        if (n < 0) {
            close(Termination.CLIENT_ABORTED, "closed while being inspected");
            return false;
        }
        if (n == 0) {
            return false;
        }
        up.bytes += n;
        up.lastSourceActivityNs = loop.nowNs();
        scratch.flip();
        if (!inspected.append(scratch, cap)) {
            // what came first shows the extractor the client's protocol (for MQTT, its version)
            ByteBuffer firstBytes = held == 0 ? scratch : inspected.view();
            refuse(Termination.MEMORY_EXHAUSTED, "memory budget spent: cannot hold " + (held + n)
                    + " bytes of a client's first bytes", awaitingProxyHeader ? null : firstBytes);
            return false;
        }
        return true;
    }

    /** Decodes and strips the PROXY header; false while incomplete or if it was invalid. */
    private boolean takeProxyHeader() {
        DecodeResult r = PROXY_DECODER.decode(inspected.view());
        switch (r.status()) {
            case NEED_MORE -> {
                return false;
            }
            case INVALID -> {
                close(Termination.PROXY_INVALID, r.reason());
                return false;
            }
            default -> {
                ProxyHeader header = r.header();
                if (header.kind() == ProxyHeader.Kind.PROXY) {
                    clientAddress = header.source();
                    proxiedDestination = header.destination();
                }
                inspected.dropFirst(r.length());
                up.bytes -= r.length();
                awaitingProxyHeader = false;
                return admitSource();
            }
        }
    }

    /**
     * A peer outside the trusted networks may not name a client: false while its first bytes
     * may still be a PROXY header, or (closing the tunnel) once they are one.
     */
    private boolean screenProxyHeader() {
        ByteBuffer firstBytes = inspected.view();
        if (!PROXY_DECODER.mayBeHeader(firstBytes)) {
            screeningProxy = false;
            return true;
        }
        if (PROXY_DECODER.decode(firstBytes).status() != DecodeResult.Status.NEED_MORE) {
            close(Termination.PROXY_UNTRUSTED, "PROXY header from " + clientAddress.getAddress().getHostAddress()
                    + ", outside the trusted networks");
        }
        return false;
    }

    private void inspect(int cap) {
        Verdict verdict = frontend.keyExtractor().inspect(inspected.view().asReadOnlyBuffer(),
                new ClientFacts(clientAddress, tlsFacts));
        if (verdict.greeting() != null && !greeted && !greet(verdict.greeting())) {
            return;
        }
        switch (verdict.kind()) {
            case NEED_MORE -> {
                if (inspected.size() >= cap) {
                    close(Termination.INSPECT_TOO_LARGE, "no decision within " + cap + " bytes");
                }
            }
            case REJECT -> replyAndLinger(verdict.reply(), Termination.INSPECT_REJECTED, verdict.reason());
            case ROUTE -> routeWith(verdict);
        }
    }

    /**
     * Sends the client what its handshake is owed before inspection goes on. Its socket has
     * sent nothing yet, so the few bytes go out whole (behind TLS, they wait for room to write).
     */
    private boolean greet(ByteBuffer greeting) {
        greeted = true;
        ByteBuffer bytes = greeting.duplicate();
        try {
            if (tls != null) {
                tls.write(bytes);
                setInterest(clientKey, true, tls.hasUnsent());
            } else {
                client.write(bytes);
            }
        } catch (IOException e) {
            close(Termination.CLIENT_ERROR, "answering its handshake: " + e.getMessage());
            return false;
        }
        if (bytes.hasRemaining()) {
            close(Termination.CLIENT_ERROR, "the answer to its handshake was not taken whole");
            return false;
        }
        return true;
    }

    // ---- per-source limits -----------------------------------------------------------------

    /**
     * Counts the client against its source's limits: at accept, or for a client behind a
     * trusted balancer once its PROXY header named it. False if it was refused.
     */
    private boolean admitSource() {
        SourceTable table = frontend.sources();
        if (table == null) {
            return true;
        }
        SourceTable.Block[] counted = loop.sourceScratch;
        SourceTable.Admission admission = table.admit(clientAddress.getAddress(), loop.nowNs(), counted);
        sourceBlock = counted[0];
        counted[0] = null;
        switch (admission) {
            case TOO_MANY -> refuseSource(Termination.SOURCE_LIMITED, "source " + sourceName(table) + " has "
                    + table.limits().maxConnections() + " live connections, the most allowed");
            case TOO_FAST -> refuseSource(Termination.SOURCE_RATE_LIMITED, "source " + sourceName(table)
                    + " made more than " + table.limits().maxConnectionRate() + " connections within "
                    + table.limits().ratePeriod().toMillis() + " ms");
            default -> {
                return true;
            }
        }
        return false;
    }

    private String sourceName(SourceTable table) {
        return Network.around(clientAddress.getAddress(), table.limits().ipv4Prefix(),
                table.limits().ipv6Prefix()).toString();
    }

    /**
     * Refuses a client over its source's limits before it reaches any server. When the key
     * extractor may answer refusals (MQTT's CONNACK), the client is kept up to
     * {@link #REFUSAL_READ_NS} for its first bytes, which the answer depends on, while fewer
     * than {@link #MAX_REFUSALS_ANSWERING} such clients wait on this loop; else it is closed at once.
     */
    private void refuseSource(Termination reason, String detail) {
        // behind TLS an answer would cost a handshake: a refused source is just closed
        if (frontend.keyExtractor() == null || frontend.tls() != null || loop.refusalsAnswering >= MAX_REFUSALS_ANSWERING) {
            close(reason, detail);
            return;
        }
        loop.refusalsAnswering++;
        refusal = reason;
        refusalDetail = detail;
        awaitingProxyHeader = false;
        screeningProxy = false;
        clientKey.interestOps(SelectionKey.OP_READ);
        loop.timers.schedule(this, loop.nowNs() + Math.min(frontend.inspectDelayNs(), REFUSAL_READ_NS));
        if (inspected != null && inspected.size() > 0) {
            answerRefusal();
        }
    }

    /** Answers a refused client if what it sent so far says how; else waits for more. */
    private void answerRefusal() {
        ByteBuffer reply = frontend.keyExtractor().refusalReply(inspected.view().asReadOnlyBuffer(), refusal);
        if (reply != null) {
            replyAndLinger(reply, refusal, refusalDetail);
        }
    }

    /** Inspection is over: the bytes read so far go to the server first. */
    private void routeWith(Verdict verdict) {
        key = verdict.key();
        backend = frontend.backendFor(key);
        ledger.routed(loop.nowNs(), backend);
        clientTimeoutNs = verdict.clientTimeoutNs();
        keyHash = key != null ? KeyHash.of(key) : KeyHash.of(clientAddress.getAddress());
        StickTable table = backend.stickTable();
        stickKey = key == null || table == null ? null : table.tableKey(key);
        ByteBuffer firstBytes = inspected == null ? null : inspected.handOver();
        inspected = null;
        if (firstBytes != null && verdict.forwarded() != null) {
            forwardInstead(firstBytes, verdict.forwarded());
        }
        if (verdict.serverHandshake() != null) {
            serverAnswer = new ServerAnswer(verdict.serverHandshake(), loop.pool.budget(), frontend.inspectMaxBytes());
        }
        if (firstBytes != null) {
            up.setPending(firstBytes);
            if (!startFraming(firstBytes)) {
                return;
            }
        }
        // read interest stays while connecting: dropping it and adding it back costs two epoll_ctl
        // calls, and the rare client that sends on meanwhile loses it then (onClientReady)
        setInterest(clientKey, true, tls != null && tls.hasUnsent());
        if (stickKey != null && !countKeyConnection()) {
            return;
        }
        classify(key, verdict.user());
        route();
    }

    /** Writes {@code forwarded} over the inspected bytes, which hold their budget for them. */
    private static void forwardInstead(ByteBuffer firstBytes, ByteBuffer forwarded) {
        if (forwarded.remaining() > firstBytes.capacity()) {
            throw new IllegalStateException("the key extractor forwards " + forwarded.remaining()
                    + " bytes in place of " + firstBytes.remaining() + ": more than were inspected");
        }
        firstBytes.clear();
        firstBytes.put(forwarded.duplicate()).flip();
    }

    private void classify(String routingKey, String user) {
        priority = frontend.priorityOf(routingKey, user, clientAddress.getAddress(),
                tlsFacts == null ? null : tlsFacts.clientCertificate());
        ledger.classified(priority);
    }

    @Override
    public int priority() {
        return priority;
    }

    /** Asks the extractor how this client's packets frame and runs its first bytes through it. */
    private boolean startFraming(ByteBuffer firstBytes) {
        KeyExtractor extractor = frontend.keyExtractor();
        framing = extractor == null ? null : extractor.framing(firstBytes.asReadOnlyBuffer());
        if (framing == null) {
            return true;
        }
        up.frameState = framing.advance(PacketFraming.BOUNDARY, firstBytes);
        if (up.frameState < 0) {
            close(Termination.FRAMING_INVALID, "client sent bytes that are no packet: " + framing.malformation(up.frameState));
            return false;
        }
        return true;
    }

    private void releaseInspected() {
        if (inspected != null) {
            inspected.release();
            inspected = null;
        }
    }

    // ---- choosing a server -----------------------------------------------------------------

    private void route() {
        ConnectRate spent = null; // a connect rate that had no room: then the tunnel waits for it
        LiveServer chosen = null;
        LiveServer remembered = stickyServer();
        if (remembered != null) {
            spent = backend.admit(remembered, loop.nowNs());
            if (spent != null) {
                enqueue(spent); // the client's broker keeps its session: wait for its rate, not elsewhere
                return;
            }
            if (remembered.tryAcquire()) {
                chosen = remembered;
            } else {
                backend.giveBack(remembered);
            }
        }
        if (chosen == null) {
            Balancer balancer = loop.balancer(backend);
            for (int i = 0; i < PICK_RACE_RETRIES && chosen == null && spent == null; i++) {
                Pick pick = balancer.pick(keyHash, avoid);
                if (pick == Pick.NO_SERVER) {
                    refuse(Termination.NO_SERVER, "no usable server in backend " + backend.name());
                    return;
                }
                if (pick == Pick.ALL_FULL) {
                    break;
                }
                // Balancers pick from the sets the engine made of its own servers.
                LiveServer picked = (LiveServer) pick.server();
                spent = backend.admit(picked, loop.nowNs());
                if (spent == null) {
                    if (picked.tryAcquire()) {
                        chosen = picked;
                    } else {
                        backend.giveBack(picked);
                    }
                }
            }
        }
        if (chosen == null) {
            enqueue(spent);
            return;
        }
        if (state == State.QUEUED) {
            loop.timers.cancel(this);
            ledger.dequeued(loop.nowNs(), priority);
        }
        connect(chosen);
    }

    /**
     * Counts this connection against its key in the stick table (when it keeps counters) and
     * applies the frontend's key rate rule; false if the tunnel was refused.
     */
    private boolean countKeyConnection() {
        StickTable table = backend.stickTable();
        if (table == null || !table.countsConnections()) {
            return true;
        }
        int rate = table.countConnection(stickKey, loop.nowNs());
        keyCounted = rate > 0;
        int limit = frontend.maxKeyConnectionRate();
        if (limit > 0 && rate > limit) {
            refuse(Termination.KEY_RATE_LIMITED, rate + " connections within the rate period, limit " + limit);
            return false;
        }
        return true;
    }

    /** The server the stick table remembers for this key, if it takes new tunnels. */
    private LiveServer stickyServer() {
        StickTable table = backend.stickTable();
        if (stickKey == null || table == null) {
            return null;
        }
        String name = table.lookup(stickKey, loop.nowNs());
        LiveServer remembered = name == null ? null : backend.server(name);
        if (remembered != null && remembered != avoid && remembered.isUsable()) {
            return remembered;
        }
        return null;
    }

    /** Waits in the backend queue for a slot, or for room in {@code spent} (a connect rate) if not null. */
    private void enqueue(ConnectRate spent) {
        BackendQueue queue = backend.queue();
        if (spent != null) {
            backend.wakeForRate(loop);
        }
        if (state == State.QUEUED) {
            queue.requeue(this);
            return;
        }
        if (spent != null) {
            spent.countDelayed();
        }
        if (!queue.offer(this)) {
            refuse(Termination.QUEUE_FULL, "all servers full and " + queue.maxQueue() + " tunnels queued");
            return;
        }
        state = State.QUEUED;
        ledger.queued(loop.nowNs(), priority);
        loop.timers.schedule(this, loop.nowNs() + backend.queueTimeoutNs());
        if (backend.hasFreeSlot()) {
            queue.wakeNext(); // a slot freed between our pick and our offer
        }
    }

    /** A slot may be free; called from any thread. */
    @Override
    public void wake() {
        loop.execute(this::onWoken); // rare: not worth a field in every tunnel
    }

    private void onWoken() {
        if (state != State.QUEUED) {
            backend.queue().wakeNext(); // we left the queue meanwhile: pass the slot on
            return;
        }
        try {
            route();
        } catch (RuntimeException e) {
            loop.countFault(this, e);
            onFault(e);
        }
    }

    /** Closes a client no server could take, letting the extractor have a last word. */
    private void refuse(Termination reason, String detail) {
        refuse(reason, detail, up.pending != null ? up.pending.duplicate().rewind() : null);
    }

    private void refuse(Termination reason, String detail, ByteBuffer firstBytes) {
        KeyExtractor extractor = frontend.keyExtractor();
        ByteBuffer reply = extractor == null || firstBytes == null ? null
                : extractor.refusalReply(firstBytes.asReadOnlyBuffer(), reason);
        replyAndLinger(reply, reason, detail);
    }

    // ---- connecting ------------------------------------------------------------------------

    private void connect(LiveServer target) {
        server = target;
        lastServer = target;
        attempts++;
        state = State.CONNECTING;
        long now = loop.nowNs();
        ledger.connecting(now);
        try {
            SocketChannel ch = Sockets.toward(target.address());
            serverChannel = ch;
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (frontend.tcpKeepAlive()) {
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            if (target.hasSources() && !bindSource(ch, target)) {
                onConnectFailed(Termination.CONNECT_FAILED, "no free source port", false);
                return;
            }
            boolean connected = ch.connect(target.address());
            if (!connected && target.checkConnectAtOnce()) {
                // on this host the handshake is done within the call: skip a round through the selector
                connected = ch.finishConnect();
                target.connectedAtOnce(connected);
            }
            serverKey = ch.register(loop.selector, connected ? 0 : SelectionKey.OP_CONNECT, this);
            if (connected) {
                onConnected();
            } else {
                loop.timers.schedule(this, now + backend.connectTimeoutNs());
            }
        } catch (IOException e) {
            onConnectFailed(Termination.CONNECT_FAILED, e.getMessage(), true);
        }
    }

    private boolean bindSource(SocketChannel ch, LiveServer target) throws IOException {
        int[] port = loop.portScratch;
        sourcePorts = target.bindSource(ch, port);
        sourcePort = port[0];
        return sourcePorts != null;
    }

    private void onConnectable() {
        try {
            if (serverChannel.finishConnect()) {
                onConnected();
            }
        } catch (IOException e) {
            onConnectFailed(Termination.CONNECT_FAILED, e.getMessage(), true);
        }
    }

    /** {@code serversFault}: feeds passive health (not so when we ran out of source ports). */
    private void onConnectFailed(Termination reason, String detail, boolean serversFault) {
        loop.timers.cancel(this);
        closeServerChannel();
        LiveServer failed = server;
        server = null;
        failed.release();
        ledger.connectFailed(failed);
        if (serversFault) {
            backend.onConnectFailed(failed);
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "connect_failed server=" + failed.name() + " attempt=" + attempts
                    + " reason=\"" + detail + "\"");
        }
        if (attempts > backend.retries()) {
            refuse(reason, failed.name() + ": " + detail);
            return;
        }
        boolean lastRetry = attempts == backend.retries();
        avoid = backend.redispatch() && lastRetry ? failed : null;
        ledger.retrying(failed, avoid != null);
        if (avoid == null && failed.isUsable() && failed.tryAcquire()) {
            connect(failed);
        } else {
            route();
        }
    }

    private void onConnected() {
        long now = loop.nowNs();
        state = State.FORWARDING;
        server.connectSucceeded();
        ledger.connected(now, server);
        up.sink = serverChannel;
        down.source = serverChannel;
        up.lastSinkActivityNs = now;
        down.lastSourceActivityNs = now;
        StickTable table = backend.stickTable();
        if (stickKey != null && table != null) {
            table.store(stickKey, server.name(), now);
        }
        if (server.sendProxy() != null && !sendProxyHeader(server.sendProxy())) {
            return;
        }
        UpstreamEngines upstream = backend.upstreamTls();
        if (upstream != null && !startServerTls(upstream)) {
            return;
        }
        if (up.hasPending() && !writeUp(now)) {
            return;
        }
        if (serverAnswer == null && up.hasBufferedInput() && !ok(up.onReadable(loop, now, framing), up)) {
            return; // decrypted bytes that came with the inspected ones
        }
        if (serverAnswer != null) {
            loop.timers.schedule(this, now + backend.connectTimeoutNs()); // its answer is part of connecting
        } else {
            armIdleTimer(now);
        }
        setInterest(clientKey, up.wantsRead(), down.hasPending() || (tls != null && tls.hasUnsent()));
        setInterest(serverKey, down.wantsRead(), serverWantsWrite());
    }

    /**
     * Writes the bytes waiting for the server; while its answer to the forwarded request is
     * awaited, only the request. False if the tunnel closed.
     */
    private boolean writeUp(long nowNs) {
        if (serverAnswer == null) {
            return ok(up.onWritable(loop, nowNs, framing), up);
        }
        try {
            serverAnswer.writeRequest(up.pending, serverChannel, serverTls);
            up.lastSinkActivityNs = nowNs;
            return true;
        } catch (IOException e) {
            close(Termination.SERVER_ERROR, "sending the forwarded request: " + e.getMessage());
            return false;
        }
    }

    /** Begins TLS to the just-connected server (after any PROXY header, which goes in the clear). */
    private boolean startServerTls(UpstreamEngines upstream) {
        InetSocketAddress at = server.address();
        serverTls = new TlsEnd(serverChannel, upstream.newEngine(at.getHostString(), at.getPort()), loop);
        up.tlsSink = serverTls;
        down.tlsSource = serverTls;
        try {
            serverTls.start();
            return true;
        } catch (IOException e) {
            close(Termination.SERVER_ERROR, e.getMessage());
            return false;
        }
    }

    /**
     * Writes the PROXY header naming the client to a just-connected server. Its send buffer is
     * empty, so the header (at most a few hundred bytes) goes out whole in one write.
     */
    private boolean sendProxyHeader(ProxyFormat format) {
        try {
            InetSocketAddress destination = proxiedDestination != null ? proxiedDestination
                    : (InetSocketAddress) client.getLocalAddress();
            ByteBuffer scratch = loop.readBuffer;
            scratch.clear();
            ProxyHeader header = ProxyHeader.proxy(clientAddress, destination);
            if (tlsFacts != null && format != ProxyFormat.V1) {
                header = header.withTlvs(tlsTlvs(tlsFacts)); // the client's TLS, as HAProxy tells it
            }
            header.writeTo(scratch, format);
            scratch.flip();
            serverChannel.write(scratch);
            if (scratch.hasRemaining()) {
                close(Termination.SERVER_ERROR, "PROXY header not accepted whole by a fresh socket");
                return false;
            }
            return true;
        } catch (IOException e) {
            close(Termination.SERVER_ERROR, "sending PROXY header: " + e.getMessage());
            return false;
        }
    }

    private static Tlv[] tlsTlvs(TlsFacts facts) {
        Tlv ssl = TlsTlvs.ssl(facts.protocol(), facts.cipherSuite(), facts.clientCommonName());
        Tlv alpn = facts.applicationProtocol() == null ? null : TlsTlvs.alpn(facts.applicationProtocol());
        Tlv authority = facts.serverName() == null ? null : Tlv.authority(facts.serverName());
        return java.util.stream.Stream.of(alpn, authority, ssl).filter(java.util.Objects::nonNull).toArray(Tlv[]::new);
    }

    /**
     * Reads the server's answer to the forwarded request; once it is whole and right, drops it,
     * sends what was held for after it and relays what the server sent after it. A wrong answer
     * ends the tunnel, the client told if the handshake says how.
     */
    private void onServerAnswer() {
        switch (serverAnswer.read(serverChannel, serverTls, loop.readBuffer)) {
            case NEED_MORE -> { }
            case REFUSED -> refuseServerAnswer(serverAnswer.failure());
            case ACCEPTED -> {
                long now = loop.nowNs();
                ByteBuffer rest = serverAnswer.takeRest();
                serverAnswer = null;
                down.lastSourceActivityNs = now;
                armIdleTimer(now);
                if (up.hasPending() && !ok(up.onWritable(loop, now, framing), up)) {
                    return; // what was held for after the answer
                }
                if (rest != null) {
                    down.bytes += rest.remaining();
                    down.setPending(rest);
                    ok(down.onWritable(loop, now, framing), down);
                }
            }
        }
    }

    /** Ends a tunnel whose server did not answer the forwarded request as expected. */
    private void refuseServerAnswer(String why) {
        String detail = server.name() + ": " + why;
        ByteBuffer reply = serverAnswer.failureReply();
        closeServerChannel();
        replyAndLinger(reply, Termination.SERVER_HANDSHAKE_FAILED, detail);
    }

    // ---- timeouts --------------------------------------------------------------------------

    @Override
    protected void onTimeout(long nowNs) {
        switch (state) {
            case HANDSHAKING -> {
                if (handshakeTurn == TURN_WAITING) {
                    close(Termination.TLS_HANDSHAKE_TIMEOUT, "no turn for a TLS handshake within "
                            + frontend.tlsHandshakeTimeoutNs() / 1_000_000 + " ms");
                } else {
                    close(awaitingProxyHeader ? Termination.PROXY_INVALID : Termination.TLS_HANDSHAKE_TIMEOUT,
                            (awaitingProxyHeader ? "no PROXY header" : "TLS handshake not done") + " within "
                                    + frontend.inspectDelayNs() / 1_000_000 + " ms");
                }
            }
            case INSPECTING -> {
                if (refusal != null) {
                    close(refusal, refusalDetail);
                } else {
                    close(awaitingProxyHeader ? Termination.PROXY_INVALID : Termination.INSPECT_TIMEOUT,
                            (awaitingProxyHeader ? "no PROXY header" : "no decision") + " within "
                                    + frontend.inspectDelayNs() / 1_000_000 + " ms");
                }
            }
            case QUEUED -> {
                backend.queue().remove(this);
                ledger.queueTimedOut(priority);
                refuse(Termination.QUEUE_TIMEOUT,
                        "all servers stayed full for " + backend.queueTimeoutNs() / 1_000_000 + " ms");
            }
            case CONNECTING -> onConnectFailed(Termination.CONNECT_TIMEOUT,
                    "no answer within " + backend.connectTimeoutNs() / 1_000_000 + " ms", true);
            case FORWARDING -> {
                if (serverAnswer != null) {
                    refuseServerAnswer("no answer to the forwarded request within "
                            + backend.connectTimeoutNs() / 1_000_000 + " ms");
                } else {
                    onIdleCheck(nowNs);
                }
            }
            case HALF_CLOSED -> onHalfCloseCheck(nowNs);
            case ENDING -> close(lingerReason, (lingerDetail == null ? "" : lingerDetail + "; ")
                    + "peers still open " + ENDING_NS / 1_000_000 + " ms after the balancer began ending the tunnel");
            case LINGERING -> close(lingerReason, lingerDetail);
            default -> { }
        }
    }

    private long clientDeadline() {
        long timeout = clientTimeoutNs != 0 ? clientTimeoutNs : frontend.clientTimeoutNs();
        return timeout == 0 ? Long.MAX_VALUE
                : Math.max(up.lastSourceActivityNs, down.lastSinkActivityNs) + timeout;
    }

    private long serverDeadline() {
        long timeout = backend.serverTimeoutNs();
        return timeout == 0 ? Long.MAX_VALUE
                : Math.max(down.lastSourceActivityNs, up.lastSinkActivityNs) + timeout;
    }

    private void armIdleTimer(long nowNs) {
        long deadline = Math.min(clientDeadline(), serverDeadline());
        if (deadline == Long.MAX_VALUE) {
            loop.timers.cancel(this);
        } else {
            loop.timers.schedule(this, deadline);
        }
    }

    /**
     * The half-close timeout counts silence after one side ended, not time since it: a server
     * still streaming to a client that sent its FIN is never cut.
     */
    private void onHalfCloseCheck(long nowNs) {
        long last = Math.max(Math.max(up.lastSourceActivityNs, up.lastSinkActivityNs),
                Math.max(down.lastSourceActivityNs, down.lastSinkActivityNs));
        long deadline = last + frontend.halfCloseTimeoutNs();
        if (nowNs - deadline >= 0) {
            close(Termination.HALF_CLOSE_TIMEOUT, "nothing moved for " + frontend.halfCloseTimeoutNs() / 1_000_000
                    + " ms after one side ended");
        } else {
            loop.timers.schedule(this, deadline);
        }
    }

    private void onIdleCheck(long nowNs) {
        if (nowNs - clientDeadline() >= 0) {
            close(Termination.CLIENT_TIMEOUT, null);
        } else if (nowNs - serverDeadline() >= 0) {
            close(Termination.SERVER_TIMEOUT, null);
        } else {
            armIdleTimer(nowNs);
        }
    }

    // ---- ending ----------------------------------------------------------------------------

    /**
     * The balancer ends this tunnel for {@code why}: between two packets with the framing's
     * farewells when its packets frame and it is forwarding (ENDING), else by closing it now.
     * Loop thread; a second call changes nothing.
     */
    void end(Termination why, String detail) {
        if (state == State.ENDING || state == State.CLOSED) {
            return;
        }
        if (framing == null || (state != State.FORWARDING && state != State.HALF_CLOSED)) {
            close(why, detail);
            return;
        }
        state = State.ENDING;
        lingerReason = why;
        lingerDetail = detail;
        up.ending = up.sourceEnded ? Relay.DRAINED : Relay.TO_BOUNDARY;
        down.ending = down.sourceEnded ? Relay.DRAINED : Relay.TO_BOUNDARY;
        loop.timers.schedule(this, loop.nowNs() + ENDING_NS);
        afterEndingIo();
    }

    /**
     * Moves the end on: a direction at a boundary sends its farewell and its end; once both
     * peers have closed their side too, the tunnel closes.
     */
    private void afterEndingIo() {
        ledger.bytes(up.bytes, down.bytes);
        if (!finishAtBoundary(up, true) || !finishAtBoundary(down, false)) {
            return;
        }
        if (up.ending == Relay.DRAINED && down.ending == Relay.DRAINED && up.isDone() && down.isDone()) {
            close(lingerReason, lingerDetail);
            return;
        }
        setInterest(clientKey, up.ending == Relay.DISCARDING || up.wantsRead(),
                down.hasPending() || (tls != null && tls.hasUnsent()));
        setInterest(serverKey, down.ending == Relay.DISCARDING || down.wantsRead(), serverWantsWrite());
    }

    /** Sends {@code relay}'s farewell and end once it reached a boundary; false if the tunnel closed. */
    private boolean finishAtBoundary(Relay relay, boolean toServer) {
        if (relay.ending != Relay.TO_BOUNDARY) {
            return true;
        }
        if (relay.sourceEnded) {
            relay.ending = Relay.DRAINED; // the peer ended on its own; its end is passed on as usual
            return true;
        }
        if (!relay.isAtBoundary()) {
            return true;
        }
        ByteBuffer farewell = toServer ? framing.farewellToServer(lingerReason) : framing.farewellToClient(lingerReason);
        if (!ok(relay.finish(farewell, loop, loop.nowNs()), relay)) {
            return false;
        }
        if (relay.hasBufferedInput()) {
            relay.discard(loop.readBuffer); // decrypted bytes no readiness event will announce
        }
        return true;
    }

    // ---- closing ---------------------------------------------------------------------------

    /**
     * Sends {@code reply} (if any), then half-closes and drains the client for a moment, so the
     * reply is not lost to a reset caused by unread input; then closes with {@code reason}.
     */
    private void replyAndLinger(ByteBuffer reply, Termination reason, String detail) {
        if (reply == null) {
            close(reason, detail);
            return;
        }
        try {
            if (tls != null) {
                tls.write(reply.duplicate());
                tls.shutdownOutput();
            } else {
                client.write(reply.duplicate());
                client.shutdownOutput();
            }
        } catch (IOException e) {
            close(reason, detail);
            return;
        }
        releaseBuffers();
        lingerReason = reason;
        lingerDetail = detail;
        state = State.LINGERING;
        clientKey.interestOps(SelectionKey.OP_READ);
        loop.timers.schedule(this, loop.nowNs() + LINGER_NS);
    }

    private void onLingerReadable() {
        ByteBuffer scratch = loop.readBuffer;
        scratch.clear();
        try {
            if (client.read(scratch) >= 0) {
                return;
            }
        } catch (IOException e) {
            // the client went away: nothing more to drain
        }
        close(lingerReason, lingerDetail);
    }

    /**
     * The one way out: idempotent; releases every socket, buffer, slot and timer. Each step runs
     * even if an earlier one threw (a plug-in's stick table, say), so no slot leaks; the first
     * fault is rethrown at the end for the loop to log and count.
     */
    void close(Termination reason, String detail) {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        RuntimeException fault = null;
        loop.timers.cancel(this);
        loop.remove(this);
        releaseHandshakeTurn();
        if ((was == State.FORWARDING || was == State.HALF_CLOSED || was == State.ENDING) && RejectReason.of(reason) == null) {
            up.flushOnce();
            down.flushOnce();
        }
        try {
            if (was == State.QUEUED) {
                backend.queue().remove(this);
            }
        } catch (RuntimeException e) {
            fault = e;
        }
        loop.closeAfterSelect(client, clientKey);
        closeServerChannel();
        releaseBuffers();
        LiveServer held = server;
        server = null;
        frontend.limit().release();
        loop.group.limit().release();
        if (sourceBlock != null) {
            sourceBlock.release(loop.nowNs());
            sourceBlock = null;
        }
        if (refusal != null) {
            loop.refusalsAnswering--;
        }
        try {
            if (held != null) {
                held.release();
            }
        } catch (RuntimeException e) {
            fault = fault == null ? e : fault;
        }
        try {
            StickTable table = backend.stickTable();
            if (keyCounted && table != null) {
                keyCounted = false;
                table.releaseConnection(stickKey, loop.nowNs());
            }
        } catch (RuntimeException e) {
            fault = fault == null ? e : fault;
        }
        count(reason);
        loop.group.emit(this, reason, detail);
        if (fault != null) {
            throw fault;
        }
    }

    private void count(Termination reason) {
        ledger.bytes(up.bytes, down.bytes);
        ledger.ended(reason, lastServer);
    }

    private void releaseBuffers() {
        releaseInspected();
        if (serverAnswer != null) {
            serverAnswer.release();
            serverAnswer = null;
        }
        up.releasePending(loop.pool);
        down.releasePending(loop.pool);
        if (state == State.CLOSED) {
            if (tls != null) {
                tls.release();
            }
            if (serverTls != null) {
                serverTls.release();
            }
        }
    }

    private void closeServerChannel() {
        if (serverChannel != null) {
            // a port of our own range goes back only once its socket is really closed
            loop.closeAfterSelect(serverChannel, sourcePorts == null ? serverKey : null);
            serverChannel = null;
            serverKey = null;
        }
        if (sourcePorts != null) {
            sourcePorts.give(sourcePort);
            sourcePorts = null;
        }
    }

    TunnelEvent toEvent(Termination reason, String detail, long nowNs) {
        return ledger.event(clientAddress, lastServer, key, up.bytes, down.bytes, attempts, reason, detail, tlsFacts, nowNs);
    }
}
