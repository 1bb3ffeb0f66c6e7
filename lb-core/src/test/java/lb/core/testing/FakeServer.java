package lb.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process upstream for tests, on one NIO thread bound to a loopback port. It can echo,
 * swallow (sink), greet each connection with its name and then echo (tag), or accept and never
 * read (stalled). Counts what it saw. Thread-safe to query and close from any thread.
 */
public final class FakeServer implements AutoCloseable {
    public enum Mode { ECHO, SINK, TAG, STALLED }

    private final String name;
    private final Mode mode;
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Thread thread;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final ConcurrentLinkedQueue<SocketChannel> clients = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean reading = true;

    private FakeServer(String name, Mode mode, InetSocketAddress bindTo) {
        this.name = name;
        this.mode = mode;
        try {
            selector = Selector.open();
            listener = ServerSocketChannel.open();
            listener.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(bindTo, 4096);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::run, "fake-server-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public static FakeServer start(String name, Mode mode) {
        return new FakeServer(name, mode, new InetSocketAddress("127.0.0.1", 0));
    }

    /** Binds {@code address} (e.g. the port of a server that died, to bring it back). */
    public static FakeServer start(String name, Mode mode, InetSocketAddress address) {
        return new FakeServer(name, mode, address);
    }

    public static FakeServer echo(String name) {
        return start(name, Mode.ECHO);
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public int accepted() {
        return accepted.get();
    }

    public int openConnections() {
        return open.get();
    }

    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** Stops or resumes reading from every connection (to build back-pressure). */
    public void reading(boolean on) {
        reading = on;
        selector.wakeup();
    }

    /** Closes every accepted connection at once (the server "closes first"). */
    public void closeConnections() {
        SocketChannel c;
        while ((c = clients.poll()) != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // test helper: best effort
            }
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Conn {
        final SocketChannel ch;
        ByteBuffer out;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        boolean wasReading = true;
        try {
            while (running) {
                selector.select(100);
                if (wasReading != reading) {
                    wasReading = reading;
                    for (SelectionKey k : selector.keys()) {
                        if (k.isValid() && k.attachment() instanceof Conn c) {
                            k.interestOps(interest(c));
                        }
                    }
                }
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                    } else {
                        serve(k, (Conn) k.attachment(), buf);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (SelectionKey k : selector.keys()) {
                try {
                    k.channel().close();
                } catch (IOException ignored) {
                    // closing down
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing down
            }
        }
    }

    private int interest(Conn c) {
        if (c.out != null) {
            return SelectionKey.OP_WRITE;
        }
        return reading && mode != Mode.STALLED ? SelectionKey.OP_READ : 0;
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = listener.accept()) != null) {
            ch.configureBlocking(false);
            accepted.incrementAndGet();
            open.incrementAndGet();
            clients.add(ch);
            Conn c = new Conn(ch);
            if (mode == Mode.TAG) {
                c.out = ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.US_ASCII));
                ch.write(c.out);
                if (!c.out.hasRemaining()) {
                    c.out = null;
                }
            }
            ch.register(selector, interest(c), c);
        }
    }

    private void serve(SelectionKey k, Conn c, ByteBuffer buf) {
        try {
            if (c.out != null) {
                c.ch.write(c.out);
                if (c.out.hasRemaining()) {
                    return;
                }
                c.out = null;
                k.interestOps(interest(c));
                return;
            }
            buf.clear();
            int n = c.ch.read(buf);
            if (n < 0) {
                drop(k, c);
                return;
            }
            bytesReceived.addAndGet(n);
            if (mode == Mode.ECHO || mode == Mode.TAG) {
                buf.flip();
                c.ch.write(buf);
                if (buf.hasRemaining()) {
                    c.out = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
                    k.interestOps(SelectionKey.OP_WRITE);
                }
            }
        } catch (IOException e) {
            drop(k, c);
        }
    }

    private void drop(SelectionKey k, Conn c) {
        k.cancel();
        clients.remove(c.ch);
        open.decrementAndGet();
        try {
            c.ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
