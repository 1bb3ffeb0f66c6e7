package lb.examples.loadgen;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import lb.examples.broker.FrameHandler;
import lb.examples.broker.FrameReader;
import lb.examples.broker.MalformedPacketException;
import lb.examples.broker.MqttEncoder;
import lb.examples.broker.PacketCursor;
import lb.examples.broker.PacketType;
import lb.examples.broker.PacketWriter;

/**
 * One simulated MQTT client. Not thread-safe: owned by one {@link ClientLoop}; the driver
 * reaches it only through commands run on that loop.
 *
 * <pre>
 * IDLE --open--> CONNECTING --TCP up--> [HANDSHAKING --TLS done-->] AWAITING_CONNACK --CONNACK 0--> READY
 *                    |                                                  |      \--subscriber--> SUBSCRIBING --SUBACK--> READY
 *                    +------ error, timeout, refusal or peer close -------------------------------------------> IDLE
 * READY --disconnect / peer close--> IDLE
 * </pre>
 *
 * Each open settles exactly once in {@link LoadStats}: ready, refused or failed. A publisher
 * sends only when READY ({@link OutgoingMessages}); a subscriber tallies what it receives
 * ({@link IncomingMessages}). Over TLS ({@link TlsConnection}) the socket carries ciphertext
 * and packets are encrypted on flush and decrypted on read; a failed handshake settles as
 * failed with the reason, e.g. {@code tls_bad_certificate}.
 */
final class LoadClient implements FrameHandler {
    enum Role { PLAIN, PUBLISHER, SUBSCRIBER }

    enum State { IDLE, CONNECTING, HANDSHAKING, AWAITING_CONNACK, SUBSCRIBING, READY }

    private static final int MAX_PACKET_SIZE = 16 * 1024 * 1024;
    /** A publisher stops encoding while this much waits for the socket, so a slow path back-pressures it. */
    private static final int MAX_PENDING_BYTES = 64 * 1024;
    private static final int SUBSCRIBE_PACKET_ID = 1;

    final ClientLoop loop;
    private final Role role;
    private final byte[] clientId;
    private final String name;
    private final LoadStats stats;
    private final PacketWriter out = new PacketWriter();
    private final OutgoingMessages outgoing;
    private final IncomingMessages incoming;
    private SocketChannel channel;
    /** Null on the plain path. */
    private TlsConnection tls;
    private SelectionKey key;
    private FrameReader reader;
    private SourceAddresses.Lease lease;
    private State state = State.IDLE;
    private boolean reconnecting;
    private boolean dirty;
    private boolean writeBlocked;
    private long startNs;
    private long tcpConnectedNs;
    private long deadlineNs;
    private long lastSentNs;

    /** A client; {@code index} counts within the role, and publisher n publishes to PREFIX/n. */
    LoadClient(ClientLoop loop, Role role, int index, String clientId, int publisherCount) {
        this.loop = loop;
        this.role = role;
        this.clientId = clientId.getBytes(StandardCharsets.UTF_8);
        this.name = clientId;
        this.stats = loop.stats;
        LoadConfig config = loop.config;
        this.outgoing = role == Role.PUBLISHER
                ? new OutgoingMessages(index, config.topicPrefix() + "/" + index, config.messageSize()) : null;
        this.incoming = role == Role.SUBSCRIBER ? new IncomingMessages(publisherCount) : null;
    }

    /** Starts connecting; an attempt already under way or done is left alone. Loop thread. */
    void open(boolean reconnect) {
        if (state != State.IDLE) {
            stats.reconnectsSkipped.increment();
            return;
        }
        reconnecting = reconnect;
        startNs = System.nanoTime();
        deadlineNs = startNs + loop.connectTimeoutNs;
        stats.connectsStarted.increment();
        reader = new FrameReader(MAX_PACKET_SIZE);
        out.clear();
        writeBlocked = false;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (loop.tls != null) {
                tls = new TlsConnection(loop.tls.newEngine(name), loop.tlsBuffers, channel, System.currentTimeMillis());
            }
            lease = loop.sources.bind(channel);
            if (lease == null) {
                fail("no_source_port");
                return;
            }
            state = State.CONNECTING;
            if (channel.connect(loop.config.target())) {
                key = channel.register(loop.selector, SelectionKey.OP_READ, this);
                onTcpConnected();
            } else {
                key = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            fail(reasonOf(e));
        }
    }

    /** Disconnects (if connected) and connects again with the same client id. */
    void reconnect() {
        if (state != State.READY) {
            stats.reconnectsSkipped.increment();
            return;
        }
        disconnect();
        open(true);
    }

    /** Sends DISCONNECT if connected and closes; an attempt still pending is abandoned as failed. */
    void disconnect() {
        switch (state) {
            case IDLE -> {
                return;
            }
            case CONNECTING, HANDSHAKING, AWAITING_CONNACK -> {
                fail("abandoned");
                return;
            }
            case SUBSCRIBING -> stats.fail("abandoned");
            case READY -> stats.live.decrementAndGet();
        }
        MqttEncoder.disconnect(out);
        try {
            out.flushTo(tls == null ? channel : tls);
        } catch (IOException ignored) {
            // Closing anyway: the broker sees the close without the DISCONNECT.
        }
        if (tls != null) {
            tls.closeGracefully();
        }
        closeChannel();
    }

    void onReady(SelectionKey readyKey) {
        try {
            if (readyKey.isConnectable()) {
                if (channel.finishConnect()) {
                    onTcpConnected();
                }
                return;
            }
            if (readyKey.isWritable()) {
                flush();
            }
            if (state != State.IDLE && readyKey.isReadable()) {
                int status = tls == null ? reader.read(channel, loop.readBuffer, this) : tls.read(loop.readBuffer, reader, this);
                if (status == FrameReader.EOF || status == FrameReader.MALFORMED) {
                    onClosedByPeer(status == FrameReader.EOF ? "closed_by_peer" : "malformed_packet");
                } else if (tls != null && state != State.IDLE) {
                    onTlsProgress();
                }
                if (tls != null && tls.hasCiphertext()) {
                    markDirty(); // handshake flight or alert the socket did not take at once: flush() waits for OP_WRITE
                }
            }
        } catch (IOException e) {
            onClosedByPeer(reasonOf(e));
        } catch (RuntimeException e) {
            // A cancelled key or a closed channel met mid-event: end this attempt, keep the loop going.
            onClosedByPeer(e.getClass().getSimpleName());
        }
    }

    private void onTcpConnected() {
        key.interestOps(SelectionKey.OP_READ);
        if (tls != null) {
            state = State.HANDSHAKING;
            tcpConnectedNs = System.nanoTime();
            tls.start();
            markDirty();
            return;
        }
        sendConnect();
    }

    /** After a TLS read: the handshake finished or failed, or the connection failed later. */
    private void onTlsProgress() {
        switch (tls.state()) {
            case OPEN -> {
                if (state == State.HANDSHAKING) {
                    onHandshakeDone();
                }
            }
            case HANDSHAKING -> {
            }
            case FAILED -> onClosedByPeer(tls.failureReason());
            default -> onClosedByPeer("tls_closed_by_peer");
        }
    }

    private void onHandshakeDone() {
        long nowNs = System.nanoTime();
        stats.recordHandshake(nowNs - tcpConnectedNs, tls.isResumed(), tls.handshake());
        sendConnect();
    }

    private void sendConnect() {
        state = State.AWAITING_CONNACK;
        int keepAliveSeconds = (int) loop.config.keepAlive().toSeconds();
        MqttEncoder.connect(out, loop.config.mqttLevel(), clientId, keepAliveSeconds, true);
        markDirty();
    }

    @Override
    public boolean onFrame(int firstByte, ByteBuffer buf, int bodyStart, int bodyEnd) {
        long nowNs = System.nanoTime();
        PacketCursor cursor = loop.cursor.reset(buf, bodyStart, bodyEnd);
        try {
            switch (PacketType.of(firstByte)) {
                case PacketType.CONNACK:
                    return onConnack(cursor, nowNs);
                case PacketType.SUBACK:
                    return onSuback(cursor);
                case PacketType.PUBLISH:
                    onPublish(firstByte, cursor, nowNs);
                    return true;
                case PacketType.PUBACK:
                    if (outgoing != null) {
                        outgoing.onPuback();
                    }
                    stats.acked.increment();
                    return true;
                case PacketType.DISCONNECT:
                    onClosedByPeer("disconnected_by_server");
                    return false;
                default:
                    return true;
            }
        } catch (MalformedPacketException e) {
            onClosedByPeer("malformed_packet");
            return false;
        }
    }

    private boolean onConnack(PacketCursor cursor, long nowNs) {
        if (state != State.AWAITING_CONNACK) {
            onClosedByPeer("unexpected_connack");
            return false;
        }
        cursor.u8();
        int code = cursor.u8();
        if (code != 0) {
            stats.refused.increment();
            stats.settled.increment();
            closeChannel();
            return false;
        }
        stats.connected.increment();
        stats.lastConnackNs.accumulate(nowNs);
        stats.recordConnect(nowNs - startNs, reconnecting);
        if (role == Role.SUBSCRIBER) {
            state = State.SUBSCRIBING;
            byte[] filter = (loop.config.topicPrefix() + "/+").getBytes(StandardCharsets.UTF_8);
            MqttEncoder.subscribe(out, loop.config.mqttLevel(), SUBSCRIBE_PACKET_ID, new byte[][] {filter}, loop.config.qos());
            markDirty();
        } else {
            becomeReady(nowNs);
        }
        return true;
    }

    private boolean onSuback(PacketCursor cursor) {
        if (state != State.SUBSCRIBING) {
            return true;
        }
        cursor.u16();
        if (loop.config.mqttLevel() == MqttEncoder.LEVEL_5) {
            cursor.skip(cursor.varint());
        }
        if (cursor.u8() >= 0x80) {
            fail("subscribe_refused");
            return false;
        }
        stats.subscribed.increment();
        becomeReady(System.nanoTime());
        return true;
    }

    private void onPublish(int firstByte, PacketCursor cursor, long nowNs) {
        int qos = (firstByte >> 1) & 0x03;
        cursor.skipLengthPrefixed();
        int packetId = qos > 0 ? cursor.u16() : 0;
        if (loop.config.mqttLevel() == MqttEncoder.LEVEL_5) {
            cursor.skip(cursor.varint());
        }
        stats.received.increment();
        stats.lastDeliveryNs.accumulate(nowNs);
        if (incoming != null) {
            incoming.onPayload(cursor, nowNs, stats);
        }
        if (qos > 0) {
            MqttEncoder.puback(out, packetId);
            markDirty();
        }
    }

    /**
     * Publishes until {@code targetCount} messages are out, {@code most} were published now,
     * the QoS 1 window is full, or the socket falls behind; returns how many it published.
     * Loop thread; only READY publishers publish.
     */
    long publishUpTo(long targetCount, long most, long nowNs) {
        if (state != State.READY || outgoing == null) {
            return 0;
        }
        int qos = loop.config.qos();
        int level = loop.config.mqttLevel();
        long published = 0;
        while (published < most && outgoing.sent() < targetCount && out.pending() < MAX_PENDING_BYTES
                && outgoing.hasWindow(qos)) {
            outgoing.encodeNext(out, level, qos);
            stats.published.increment();
            published++;
            lastSentNs = nowNs;
            markDirty();
        }
        return published;
    }

    /** Times out a pending attempt and keeps an idle connection alive. Loop thread, every scan. */
    void onScan(long nowNs) {
        switch (state) {
            case CONNECTING, HANDSHAKING, AWAITING_CONNACK, SUBSCRIBING -> {
                if (nowNs - deadlineNs >= 0) {
                    fail("timeout_" + state.name().toLowerCase(Locale.ROOT));
                }
            }
            case READY -> {
                // Ping at half the keep-alive, well inside the 1.5x the broker allows (3.1.1 section 3.1.2.10).
                if (loop.keepAliveNs > 0 && nowNs - lastSentNs >= loop.keepAliveNs / 2) {
                    MqttEncoder.pingreq(out);
                    stats.pings.increment();
                    lastSentNs = nowNs;
                    markDirty();
                }
            }
            default -> {
            }
        }
    }

    void flush() {
        dirty = false;
        if (channel == null || state == State.CONNECTING) {
            return;
        }
        try {
            boolean drained = tls == null ? out.flushTo(channel) : out.flushTo(tls) && tls.flushCiphertext();
            if (drained == writeBlocked) {
                writeBlocked = !drained;
                key.interestOps(SelectionKey.OP_READ | (writeBlocked ? SelectionKey.OP_WRITE : 0));
            }
        } catch (IOException e) {
            onClosedByPeer(reasonOf(e));
        }
    }

    private void markDirty() {
        if (!dirty) {
            dirty = true;
            loop.markDirty(this);
        }
    }

    private void becomeReady(long nowNs) {
        state = State.READY;
        lastSentNs = nowNs;
        stats.becameReady();
    }

    private void onClosedByPeer(String reason) {
        switch (state) {
            case READY -> {
                stats.live.decrementAndGet();
                stats.dropped.increment();
                closeChannel();
            }
            case CONNECTING, HANDSHAKING, AWAITING_CONNACK, SUBSCRIBING -> fail(reason);
            default -> {
            }
        }
    }

    private void fail(String reason) {
        stats.fail(reason);
        closeChannel();
    }

    private void closeChannel() {
        state = State.IDLE;
        if (outgoing != null) {
            outgoing.onClosed();
        }
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (tls != null) {
            tls.discard();
            tls = null;
        }
        if (channel != null) {
            try {
                if (loop.sources.picksPorts()) {
                    // A reset leaves no TIME_WAIT, so the port can go straight back into the range.
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                channel.close();
            } catch (IOException ignored) {
                // Nothing left to do with a socket that fails to close.
            }
            channel = null;
        }
        if (lease != null) {
            loop.releaseAfterSelect(lease);
            lease = null;
        }
        out.clear();
    }

    private static String reasonOf(IOException e) {
        if (e instanceof ConnectException) {
            return "connection_refused";
        }
        String message = e.getMessage();
        if (message != null && message.contains("reset")) {
            return "connection_reset";
        }
        if (message != null && message.contains("Too many open files")) {
            return "too_many_open_files";
        }
        if (message != null && message.contains("Broken pipe")) {
            return "broken_pipe"; // written to after the peer had closed, as a TLS server cutting a slow handshake short
        }
        return e.getClass().getSimpleName();
    }
}
