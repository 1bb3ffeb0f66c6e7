package lb.core.engine;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;

import lb.core.health.HealthCheck;
import lb.core.health.Judgement;
import lb.core.proxy.ProxyHeader;
import lb.core.tls.UpstreamEngines;

/**
 * Checks one server, over and over, on one event loop: an ordinary non-blocking connection
 * timed by the loop's wheel, never a thread. Owned by that loop. The probe is its own timer:
 * while idle it waits for the next check, while checking it bounds the check by the timeout.
 * When the backend speaks TLS to its servers, so does the probe: the check passes only through
 * a verified handshake, and its request and reply travel encrypted. A check may go to another
 * port of the server's address than its traffic (the server's check port, else the check's),
 * and may be told to stay plain while the traffic is TLS (a readiness port without TLS).
 */
final class Probe extends TimerWheel.Timeout implements Handler {
    private static final int MAX_REPLY = 4096;

    private enum Phase { IDLE, CONNECTING, HANDSHAKING, SENDING, READING }

    private final EventLoop loop;
    private final LiveServer server;
    private final HealthCheck check;
    private final HealthMonitor monitor;
    private final HealthState state;
    private final ByteBuffer reply;
    /** Where checks go: the server's address, on its check port if it has one. */
    private final InetSocketAddress target;
    /** This server's request, made once; sent from a fresh view each check. */
    private final ByteBuffer request;
    private Phase phase = Phase.IDLE;
    private SocketChannel channel;
    private SelectionKey key;
    private ByteBuffer out;
    /** The check's TLS end while a check runs against a backend that speaks TLS; else null. */
    private TlsEnd tls;
    private volatile boolean stopped;

    Probe(EventLoop loop, LiveServer server, HealthCheck check, HealthMonitor monitor) {
        this.loop = loop;
        this.server = server;
        this.check = check;
        this.monitor = monitor;
        this.state = new HealthState(check.rise(), check.fall());
        if (!server.isUp()) {
            state.force(false); // a new probe (after a reconfiguration, say) starts from what is known
        }
        this.target = target(server, check);
        this.request = check.request(server.name(), target);
        this.reply = request == null ? null : ByteBuffer.allocate(MAX_REPLY);
    }

    private static InetSocketAddress target(LiveServer server, HealthCheck check) {
        int port = server.spec().checkPort() > 0 ? server.spec().checkPort() : check.port();
        InetSocketAddress a = server.address();
        return port == 0 || port == a.getPort() ? a : new InetSocketAddress(a.getAddress(), port);
    }

    LiveServer server() {
        return server;
    }

    EventLoop loop() {
        return loop;
    }

    /** Schedules the first check somewhere in the first interval, so servers spread out. */
    void start() {
        long interval = check.interval().toNanos();
        loop.timers().schedule(this, loop.nowNs() + ThreadLocalRandom.current().nextLong(interval));
    }

    void stop() {
        stopped = true;
        loop.execute(() -> {
            loop.timers().cancel(this);
            closeChannel();
        });
    }

    @Override
    protected void onTimeout(long nowNs) {
        if (stopped) {
            return;
        }
        if (phase == Phase.IDLE) {
            begin(nowNs);
        } else {
            finish(false, "timeout after " + check.timeout().toMillis() + " ms" + where());
        }
    }

    private void begin(long nowNs) {
        try {
            channel = Sockets.toward(target);
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            phase = Phase.CONNECTING;
            loop.timers().schedule(this, nowNs + check.timeout().toNanos());
            if (channel.connect(target)) {
                key = channel.register(loop.selector(), 0, this);
                onConnected();
            } else {
                key = channel.register(loop.selector(), SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            finish(false, describe(e));
        }
    }

    /** What a failure says of where it happened: the port, when checks go to another than the traffic's. */
    private String where() {
        return target == server.address() ? "" : " on port " + target.getPort();
    }

    @Override
    public void onReady(SelectionKey k) {
        try {
            switch (phase) {
                case CONNECTING -> {
                    if (channel.finishConnect()) {
                        onConnected();
                    }
                }
                case HANDSHAKING -> handshake();
                case SENDING -> send();
                case READING -> read();
                default -> { }
            }
        } catch (IOException e) {
            finish(false, describe(e));
        } catch (RuntimeException e) {
            finish(false, "check failed: " + e);
        }
    }

    private void onConnected() throws IOException {
        if (check.sendProxy() != null) {
            channel.write(ProxyHeader.local().encode(check.sendProxy())); // fits a fresh socket's buffer
        }
        UpstreamEngines upstream = check.tls() ? server.backend().upstreamTls() : null;
        if (upstream != null) {
            tls = new TlsEnd(channel, upstream.newEngine(target.getHostString(), target.getPort()), loop);
            tls.start();
            phase = Phase.HANDSHAKING;
            key.interestOps(SelectionKey.OP_READ | (tls.hasUnsent() ? SelectionKey.OP_WRITE : 0));
            return;
        }
        exchange();
    }

    private void handshake() throws IOException {
        if (!tls.flush()) {
            return;
        }
        tls.pull();
        if (tls.failure() != null) {
            finish(false, "TLS: " + tls.failure());
        } else if (tls.isHandshakeDone()) {
            exchange();
        } else if (tls.isInputDone()) {
            finish(false, "closed during the TLS handshake");
        } else {
            key.interestOps(SelectionKey.OP_READ | (tls.hasUnsent() ? SelectionKey.OP_WRITE : 0));
        }
    }

    /** Connected (and through TLS, if any): sends the request, or passes a connect-only check. */
    private void exchange() throws IOException {
        out = request == null ? null : request.duplicate();
        if (out == null) {
            finish(true, "connected");
            return;
        }
        reply.clear();
        phase = Phase.SENDING;
        send();
    }

    private void send() throws IOException {
        if (tls != null) {
            tls.write(out);
        } else {
            channel.write(out);
        }
        if (out.hasRemaining() || (tls != null && tls.hasUnsent())) {
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        phase = Phase.READING;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void read() throws IOException {
        int n = tls != null ? tls.read(reply) : channel.read(reply);
        ByteBuffer received = reply.duplicate().flip().asReadOnlyBuffer();
        // at the end of the stream (an HTTP server closes after its reply) the matcher has the last word
        Judgement j = n < 0 ? check.matcher().judgeAtEnd(received) : check.matcher().judge(received);
        if (n < 0 && j.isNeedMore()) {
            finish(false, "closed before a full reply");
        } else if (j.isPass()) {
            ByteBuffer bye = check.farewell();
            if (bye != null && n >= 0) {
                // best effort: the socket buffer is empty, it fits
                if (tls != null) {
                    tls.write(bye.duplicate());
                } else {
                    channel.write(bye);
                }
            }
            finish(true, "reply accepted");
        } else if (!j.isNeedMore()) {
            finish(false, "bad reply: " + j.reason());
        } else if (!reply.hasRemaining()) {
            finish(false, "bad reply: no verdict within " + MAX_REPLY + " bytes");
        }
    }

    private void finish(boolean passed, String reason) {
        closeChannel();
        phase = Phase.IDLE;
        server.checked(passed);
        if (state.record(passed)) {
            monitor.changed(this, state.isUp(), passed ? check.rise() + (check.rise() == 1 ? " check passed" : " checks passed") : reason);
        }
        if (!stopped) {
            scheduleNext();
        }
    }

    /** Passive observation or a forced state: set the hysteresis to match. Loop thread. */
    void force(boolean up) {
        state.force(up);
        if (phase == Phase.IDLE && !stopped) {
            scheduleNext();
        }
    }

    private void scheduleNext() {
        long base = (state.isChanging() || !state.isUp() ? check.fastInterval() : check.interval()).toNanos();
        long jitter = base / 10;
        long delay = base - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
        loop.timers().schedule(this, loop.nowNs() + delay);
    }

    private void closeChannel() {
        if (tls != null) {
            tls.release();
            tls = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to tell a probed server
            }
            channel = null;
            key = null;
        }
    }

    private String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connect refused" + where();
        }
        return (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + where();
    }
}
