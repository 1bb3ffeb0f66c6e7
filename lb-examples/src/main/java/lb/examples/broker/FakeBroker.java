package lb.examples.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Set;

/**
 * An in-process MQTT broker for tests, demos and benchmarks: enough of MQTT 3.1.1 and 5.0 to
 * connect, subscribe with wildcards and publish at QoS 0 and 1 (see {@link BrokerProtocol}),
 * on a few NIO loops that pass messages to each other through lock-free queues.
 *
 * <p>It reports what it served (client ids, counts, open connections) and can be told to
 * misbehave: refuse CONNECTs, stall reads, or die and come back on the same port.
 *
 * <p>Thread-safe. Lifecycle calls ({@link #start}, {@link #stop}, {@link #die},
 * {@link #restart}) are serialised; the rest may be called from any thread at any time.
 *
 * <pre>
 * try (FakeBroker broker = new FakeBroker("broker-a").start()) {
 *     connect to broker.address() ...
 *     broker.die();     // clients see a reset; new connections are refused
 *     broker.start();   // back on the same port, with no subscriptions
 * }
 * </pre>
 */
public final class FakeBroker implements AutoCloseable {
    public static final int DEFAULT_LOOPS = 2;

    private final String name;
    private final int loopCount;
    private final BrokerCounters counters = new BrokerCounters();
    private volatile InetSocketAddress address;
    private volatile RunningBroker running;
    private volatile boolean refusingConnects;
    private volatile boolean stallingReads;

    /** A broker for 127.0.0.1 on a free port, with {@value #DEFAULT_LOOPS} loops; not started yet. */
    public FakeBroker(String name) {
        this(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), DEFAULT_LOOPS);
    }

    /** A broker for {@code bindAddress} (port 0: any free port) with {@code loops} threads; not started yet. */
    public FakeBroker(String name, InetSocketAddress bindAddress, int loops) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be at least 1, was " + loops);
        }
        this.name = name;
        this.address = bindAddress;
        this.loopCount = loops;
    }

    /**
     * Binds and starts serving. After the first start the port is fixed: starting again after
     * {@link #stop} or {@link #die} binds the same address and port. Returns this broker.
     */
    public synchronized FakeBroker start() throws IOException {
        if (running != null) {
            throw new IllegalStateException("fake broker " + name + " is already running");
        }
        RunningBroker life = new RunningBroker(this, counters, address, loopCount);
        address = life.address;
        running = life;
        return this;
    }

    /** Closes the listener and every connection with a TCP reset, as a crashed broker would. */
    public synchronized void die() {
        end(true);
    }

    /** Closes the listener and every connection normally. */
    public synchronized void stop() {
        end(false);
    }

    /** Dies if running, then starts again on the same port. Returns this broker. */
    public synchronized FakeBroker restart() throws IOException {
        end(true);
        return start();
    }

    /** Same as {@link #stop}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    private void end(boolean abort) {
        RunningBroker life = running;
        if (life == null) {
            return;
        }
        running = null;
        try {
            life.stop(abort);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** While true, every CONNECT is answered with "server unavailable" and the connection closed. */
    public void refuseConnects(boolean refuse) {
        refusingConnects = refuse;
    }

    /**
     * While true, nothing more is read from any connection: connects are still accepted by the
     * kernel and the listener, but no packet is answered, as a broker stuck on a long pause.
     * Returns once every loop has applied the change.
     */
    public void stallReads(boolean stall) {
        stallingReads = stall;
        RunningBroker life = running;
        if (life != null) {
            try {
                life.applyStall();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRefusingConnects() {
        return refusingConnects;
    }

    public boolean isStallingReads() {
        return stallingReads;
    }

    public boolean isRunning() {
        return running != null;
    }

    public String name() {
        return name;
    }

    /** The address clients connect to: the bound port once started. */
    public InetSocketAddress address() {
        return address;
    }

    /** Every client id whose CONNECT this broker accepted, across restarts. A live, read-only view. */
    public Set<String> servedClientIds() {
        return Collections.unmodifiableSet(counters.servedClientIds);
    }

    /** TCP connections open right now, whether or not they have sent CONNECT. */
    public int openConnections() {
        return counters.openConnections.get();
    }

    /** CONNECTs answered with success, across restarts. */
    public long connectsAccepted() {
        return counters.connectsAccepted.sum();
    }

    /** CONNECTs refused because of {@link #refuseConnects}. */
    public long connectsRefused() {
        return counters.connectsRefused.sum();
    }

    /** PUBLISH packets received from clients. */
    public long messagesReceived() {
        return counters.messagesReceived.sum();
    }

    /** PUBLISH packets sent to subscribers. */
    public long messagesDelivered() {
        return counters.messagesDelivered.sum();
    }

    /** Wills published: clients whose connection ended without a normal DISCONNECT. */
    public long willsPublished() {
        return counters.willsPublished.sum();
    }

    @Override
    public String toString() {
        return name + "@" + address.getHostString() + ":" + address.getPort();
    }

    /**
     * Runs a broker until the process is stopped.
     *
     * <pre>
     * FakeBroker [HOST:PORT [NAME [LOOPS]]]      default 127.0.0.1:1883 fake-broker 2
     * </pre>
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 3 || (args.length > 0 && args[0].startsWith("-"))) {
            System.err.println("usage: FakeBroker [HOST:PORT [NAME [LOOPS]]]");
            System.exit(2);
        }
        String listen = args.length > 0 ? args[0] : "127.0.0.1:1883";
        int colon = listen.lastIndexOf(':');
        InetSocketAddress bind;
        int loops;
        try {
            bind = new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
            loops = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_LOOPS;
        } catch (RuntimeException e) {
            System.err.println("bad HOST:PORT or LOOPS: " + String.join(" ", args));
            System.exit(2);
            return;
        }
        FakeBroker broker = new FakeBroker(args.length > 1 ? args[1] : "fake-broker", bind, loops);
        try {
            broker.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listen, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        System.out.println("fake broker " + broker + " ready");
        Thread.currentThread().join();
    }
}
