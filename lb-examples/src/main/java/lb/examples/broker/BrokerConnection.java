package lb.examples.broker;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * One client connection of a fake broker: its socket, what it has half-sent, what waits to go
 * out, and the MQTT state the broker keeps for it (client id, protocol level, subscriptions).
 * Not thread-safe: owned by its loop; other loops reach it only through delivery queues.
 *
 * <p>Invariants: replies are appended to {@link #out()} and flushed once at the end of the
 * loop's cycle; {@code OP_WRITE} is set only while a flush was partial; a closed connection
 * ignores deliveries.
 */
final class BrokerConnection implements FrameHandler {
    private static final System.Logger LOG = System.getLogger(BrokerConnection.class.getName());
    private static final int MAX_PACKET_SIZE = 16 * 1024 * 1024;
    /** A subscriber that lets this much pile up is not reading: drop it, as real brokers do. */
    private static final int MAX_PENDING_BYTES = 64 * 1024 * 1024;

    final BrokerLoop loop;
    private final SocketChannel channel;
    private final FrameReader reader = new FrameReader(MAX_PACKET_SIZE);
    private final PacketWriter out = new PacketWriter();
    private SelectionKey key;
    private int slot;
    private String clientId;
    private int level;
    private Map<String, Integer> subscriptions;
    private int lastPacketId;
    private boolean dirty;
    private boolean writeBlocked;
    private boolean closeAfterFlush;
    private Message will;
    private int willQos;
    private boolean closed;

    BrokerConnection(BrokerLoop loop, SocketChannel channel) {
        this.loop = loop;
        this.channel = channel;
    }

    void attach(SelectionKey key, int slot) {
        this.key = key;
        this.slot = slot;
    }

    void moveTo(int slot) {
        this.slot = slot;
    }

    boolean isConnected() {
        return clientId != null;
    }

    int level() {
        return level;
    }

    PacketWriter out() {
        return out;
    }

    void onReady(SelectionKey readyKey) {
        try {
            if (readyKey.isWritable()) {
                flush();
            }
            if (!closed && readyKey.isReadable()) {
                onReadable();
            }
        } catch (IOException e) {
            close(false);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "connection_failed", e);
            close(false);
        }
    }

    private void onReadable() throws IOException {
        int status = reader.read(channel, loop.readBuffer, this);
        if (status == FrameReader.EOF || status == FrameReader.MALFORMED) {
            close(false);
        }
    }

    @Override
    public boolean onFrame(int firstByte, ByteBuffer buf, int bodyStart, int bodyEnd) {
        return !closed && !closeAfterFlush && loop.protocol.onPacket(this, firstByte, buf, bodyStart, bodyEnd);
    }

    /** The CONNECT was accepted: remember the client, and close an older connection with its id. */
    void onConnected(String id, int protocolLevel) {
        this.clientId = id;
        this.level = protocolLevel;
        loop.counters.servedClientIds.add(id);
        loop.counters.connectsAccepted.increment();
        BrokerConnection previous = loop.broker.connectionsByClientId.put(id, this);
        if (previous != null && previous != this) {
            // MQTT 3.1.1 section 3.1.4: a second connection with the same client id takes over.
            if (previous.loop == loop) {
                previous.close(false);
            } else {
                previous.loop.execute(() -> previous.close(false));
            }
        }
    }

    void subscribe(String filter, int qos) {
        if (subscriptions == null) {
            subscriptions = new HashMap<>();
        }
        subscriptions.put(filter, qos);
        loop.broker.subscriptions.add(filter, this, qos);
    }

    /** Returns true when a subscription to {@code filter} existed. */
    boolean unsubscribe(String filter) {
        if (subscriptions == null || subscriptions.remove(filter) == null) {
            return false;
        }
        loop.broker.subscriptions.remove(filter, this);
        return true;
    }

    /** Sends a message this connection subscribed to; on its own loop only. */
    void deliver(Message message, int qos) {
        if (closed || closeAfterFlush) {
            return;
        }
        int packetId = 0;
        if (qos > 0) {
            lastPacketId = lastPacketId == 0xFFFF ? 1 : lastPacketId + 1;
            packetId = lastPacketId;
        }
        byte[] payload = message.payload();
        MqttEncoder.publish(out, level, qos, packetId, message.topicUtf8(), payload, 0, payload.length);
        loop.counters.messagesDelivered.increment();
        if (out.pending() > MAX_PENDING_BYTES) {
            LOG.log(System.Logger.Level.DEBUG, "slow_consumer_dropped");
            close(true);
            return;
        }
        markDirty();
    }

    /** Queues this connection for the end-of-cycle flush. */
    void markDirty() {
        if (!dirty && !closed) {
            dirty = true;
            loop.markDirty(this);
        }
    }

    /** Answers, then closes once the answer is written (a refused CONNECT). */
    void closeAfterFlush() {
        closeAfterFlush = true;
        markDirty();
        updateInterest();
    }

    void flush() {
        dirty = false;
        if (closed) {
            return;
        }
        try {
            boolean drained = out.flushTo(channel);
            if (drained && closeAfterFlush) {
                close(false);
                return;
            }
            if (drained == writeBlocked) {
                writeBlocked = !drained;
                updateInterest();
            }
        } catch (IOException e) {
            close(false);
        }
    }

    /** Reads unless the broker stalls reads or this connection is on its way out; writes while blocked. */
    void updateInterest() {
        if (closed || !key.isValid()) {
            return;
        }
        boolean reading = !closeAfterFlush && !loop.broker.owner.isStallingReads();
        key.interestOps((reading ? SelectionKey.OP_READ : 0) | (writeBlocked ? SelectionKey.OP_WRITE : 0));
    }

    /** The will to publish if this connection ends without a normal DISCONNECT; null for none. */
    void will(Message message, int qos) {
        this.will = message;
        this.willQos = qos;
    }

    /** A normal DISCONNECT came: the will is discarded. */
    void dropWill() {
        will = null;
    }

    /**
     * Closes the socket, with a reset when {@code abort}, forgets the client's subscriptions,
     * and publishes its will unless it said goodbye.
     */
    void close(boolean abort) {
        if (closed) {
            return;
        }
        closed = true;
        if (subscriptions != null) {
            for (String filter : subscriptions.keySet()) {
                loop.broker.subscriptions.remove(filter, this);
            }
            subscriptions = null;
        }
        if (will != null) {
            Message last = will;
            will = null;
            loop.counters.willsPublished.increment();
            loop.route(last, willQos);
        }
        if (clientId != null) {
            loop.broker.connectionsByClientId.remove(clientId, this);
        }
        key.cancel();
        try {
            if (abort) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close_failed", e);
        }
        loop.forget(this, slot);
    }
}
