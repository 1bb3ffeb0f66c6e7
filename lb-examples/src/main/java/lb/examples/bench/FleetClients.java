package lb.examples.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Many MQTT clients on one thread and one selector, for fleet-scale runs: each connects with a
 * will, counts the CONNACKs it gets (and keeps the return code of the first), records the reason
 * of a DISCONNECT from the server, and connects again when its connection ends. Not thread-safe:
 * run and read it from one thread.
 */
final class FleetClients implements AutoCloseable {
    /** One client: 3.1.1 or 5.0, its will on {@code wills/ID}. */
    static final class Client {
        final String id;
        final boolean v5;
        SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(512);
        int connacks;
        /** The first CONNACK's return or reason code; -1 before it. */
        int firstCode = -1;
        /** The reason code of the server's DISCONNECT (0 if it had none); -1 if none came. */
        int disconnectReason = -1;

        Client(String id, boolean v5) {
            this.id = id;
            this.v5 = v5;
        }

        /**
         * CONNECT, clean start, keep-alive 60 s, will QoS 0 "gone" on {@code wills/ID}
         * (3.1.1 §3.1, 5.0 §3.1 with empty property lists).
         */
        ByteBuffer connect() {
            byte[] clientId = id.getBytes(StandardCharsets.UTF_8);
            byte[] topic = ("wills/" + id).getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', (byte) (v5 ? 5 : 4), 0x06, 0, 60});
            if (v5) {
                body.write(0);
            }
            string(body, clientId);
            if (v5) {
                body.write(0);
            }
            string(body, topic);
            string(body, "gone".getBytes(StandardCharsets.UTF_8));
            byte[] b = body.toByteArray();
            ByteBuffer packet = ByteBuffer.allocate(b.length + 3).put((byte) 0x10);
            if (b.length < 128) {
                packet.put((byte) b.length);
            } else {
                packet.put((byte) (b.length % 128 | 0x80)).put((byte) (b.length / 128));
            }
            return packet.put(b).flip();
        }

        private static void string(ByteArrayOutputStream out, byte[] s) {
            out.write(s.length >> 8);
            out.write(s.length);
            out.writeBytes(s);
        }
    }

    private final InetSocketAddress target;
    private final Selector selector;
    private final List<Client> clients = new ArrayList<>();
    private boolean reconnect = true;

    FleetClients(InetSocketAddress target) throws IOException {
        this.target = target;
        this.selector = Selector.open();
    }

    /** Adds and connects {@code count} clients of each version, named {@code prefix-v3-N} and {@code prefix-v5-N}. */
    List<Client> connect(String prefix, int perVersion, boolean v3, boolean v5) throws IOException {
        List<Client> made = new ArrayList<>();
        for (int i = 0; i < perVersion; i++) {
            if (v3) {
                made.add(new Client(prefix + "-v3-" + i, false));
            }
            if (v5) {
                made.add(new Client(prefix + "-v5-" + i, true));
            }
        }
        for (Client c : made) {
            open(c);
        }
        clients.addAll(made);
        return made;
    }

    /** Whether a client whose connection ended connects again (by default it does). */
    void reconnect(boolean again) {
        this.reconnect = again;
    }

    List<Client> clients() {
        return clients;
    }

    /** Moves every client on until {@code done} holds or {@code seconds} pass; true if it held. */
    boolean runUntil(BooleanSupplier done, int seconds) throws IOException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            selector.select(20);
            List<Client> ended = new ArrayList<>();
            for (SelectionKey k : selector.selectedKeys()) {
                Client c = (Client) k.attachment();
                try {
                    if (k.isConnectable()) {
                        if (c.channel.finishConnect()) {
                            c.channel.write(c.connect());
                            k.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable() && read(c) < 0) {
                        ended.add(c);
                    }
                } catch (IOException e) {
                    ended.add(c);
                }
            }
            selector.selectedKeys().clear();
            for (Client c : ended) {
                c.channel.keyFor(selector).cancel();
                c.channel.close();
                if (reconnect) {
                    open(c);
                }
            }
        }
        return true;
    }

    /** Reads and handles whole packets (CONNACK, DISCONNECT; the rest is skipped); -1 at the end. */
    private static int read(Client c) throws IOException {
        int n = c.channel.read(c.in);
        c.in.flip();
        while (c.in.remaining() >= 2) {
            int at = c.in.position();
            int type = (c.in.get(at) & 0xFF) >>> 4;
            int length = c.in.get(at + 1) & 0x7F; // the packets handled here are short
            if (c.in.remaining() < 2 + length) {
                break;
            }
            if (type == 2) {
                if (c.connacks++ == 0) {
                    c.firstCode = c.in.get(at + 3) & 0xFF;
                }
            } else if (type == 14) {
                c.disconnectReason = length > 0 ? c.in.get(at + 2) & 0xFF : 0;
            }
            c.in.position(at + 2 + length);
        }
        c.in.compact();
        return n;
    }

    private void open(Client c) throws IOException {
        c.channel = SocketChannel.open();
        c.channel.configureBlocking(false);
        c.channel.connect(target);
        c.in.clear();
        c.channel.register(selector, SelectionKey.OP_CONNECT, c);
    }

    @Override
    public void close() throws IOException {
        for (Client c : clients) {
            c.channel.close();
        }
        selector.close();
    }
}
