package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the kernel's listen figures from a {@code /proc} laid out by the test, on a clock it moves. */
class KernelListenQueuesTest {
    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode\n";
    private static final String HEADER6 = "  sl  local_address                         remote_address"
            + "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @TempDir
    Path proc;

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);

    @BeforeEach
    void littleEndianOnly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the fixtures are written as a little-endian kernel writes them");
        Files.createDirectories(proc.resolve("net"));
        Files.createDirectories(proc.resolve("sys/net/core"));
    }

    @Test
    void listenersAreFoundByTheirAddressWhicheverTableTheyAreIn() throws Exception {
        Files.writeString(proc.resolve("net/tcp"), HEADER
                + "   0: 0100007F:075B 00000000:0000 0A 00000000:00000025 00:00000000 00000000  1000 0 11 1 x 100 0 0 10 0\n"
                + "   1: 00000000:0050 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0 0 12 1 x 100 0 0 10 0\n"
                + "   2: 0100007F:075B 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000 0 13 1 x 20 4 30 10 -1\n"
                + "this line is never read: the connections come after the listeners\n");
        Files.writeString(proc.resolve("net/tcp6"), HEADER6
                // ::ffff:127.0.0.2 port 8883, twice (SO_REUSEPORT): queues add up
                + "   0: 0000000000000000FFFF00000200007F:22B3 00000000000000000000000000000000:0000 0A "
                + "00000000:00000004 00:00000000 00000000 1000 0 21 1 x 100 0 0 10 0\n"
                + "   1: 0000000000000000FFFF00000200007F:22B3 00000000000000000000000000000000:0000 0A "
                + "00000000:00000006 00:00000000 00000000 1000 0 22 1 x 100 0 0 10 0\n"
                // :: port 1884, the JDK's wildcard socket
                + "   2: 00000000000000000000000000000000:075C 00000000000000000000000000000000:0000 0A "
                + "00000000:00000007 00:00000000 00000000 1000 0 23 1 x 100 0 0 10 0\n");
        Files.writeString(proc.resolve("net/netstat"), "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPHPHits\n"
                + "TcpExt: 0 12 15 99\nIpExt: InNoRoutes\nIpExt: 0\n");
        KernelListenQueues.Sample s = new KernelListenQueues(proc, clock::get).sample();
        assertEquals(OptionalLong.of(37), s.acceptQueue(new InetSocketAddress("127.0.0.1", 1883)));
        assertEquals(OptionalLong.of(3), s.acceptQueue(new InetSocketAddress("0.0.0.0", 80)));
        assertEquals(OptionalLong.of(10), s.acceptQueue(new InetSocketAddress("127.0.0.2", 8883)));
        assertEquals(OptionalLong.of(7), s.acceptQueue(new InetSocketAddress("0.0.0.0", 1884)), ":: is the wildcard");
        assertEquals(OptionalLong.empty(), s.acceptQueue(new InetSocketAddress("127.0.0.1", 9999)), "not listed: unknown");
        assertEquals(OptionalLong.of(12), s.listenOverflows());
        assertEquals(OptionalLong.of(15), s.listenDrops());
        assertEquals(0, s.failures());
    }

    @Test
    void aSampleIsReadAgainOnlyAfterAPeriod() throws Exception {
        writeQueue(5);
        KernelListenQueues k = new KernelListenQueues(proc, clock::get);
        assertEquals(OptionalLong.of(5), k.sample().acceptQueue(new InetSocketAddress("127.0.0.1", 1883)));
        writeQueue(6);
        clock.addAndGet(KernelListenQueues.PERIOD_NS - 1);
        assertEquals(OptionalLong.of(5), k.sample().acceptQueue(new InetSocketAddress("127.0.0.1", 1883)), "cached");
        clock.addAndGet(1);
        assertEquals(OptionalLong.of(6), k.sample().acceptQueue(new InetSocketAddress("127.0.0.1", 1883)), "read again");
    }

    @Test
    void missingFilesAreAbsentFiguresAndNoFailure() {
        KernelListenQueues.Sample s = new KernelListenQueues(proc.resolve("nothing-here"), clock::get).sample();
        assertEquals(OptionalLong.empty(), s.acceptQueue(new InetSocketAddress("127.0.0.1", 1883)));
        assertEquals(OptionalLong.empty(), s.listenOverflows());
        assertEquals(OptionalLong.empty(), s.listenDrops());
        assertEquals(0, s.failures());
        assertEquals(OptionalInt.empty(), KernelListenQueues.somaxconn(proc.resolve("nothing-here")));
    }

    @Test
    void anUnreadableFileIsACountedFailureNotAnException() throws Exception {
        Files.writeString(proc.resolve("net/tcp"), HEADER + "   0: garbage\n");
        Files.writeString(proc.resolve("net/netstat"), "TcpExt: ListenOverflows\nTcpExt: many\n");
        KernelListenQueues k = new KernelListenQueues(proc, clock::get);
        KernelListenQueues.Sample s = k.sample();
        assertEquals(OptionalLong.empty(), s.acceptQueue(new InetSocketAddress("127.0.0.1", 1883)));
        assertEquals(OptionalLong.empty(), s.listenOverflows());
        assertEquals(2, s.failures());
        clock.addAndGet(KernelListenQueues.PERIOD_NS);
        assertEquals(4, k.sample().failures(), "each reading counts");
    }

    @Test
    void aBacklogAboveSomaxconnIsCappedToIt() throws Exception {
        Files.writeString(proc.resolve("sys/net/core/somaxconn"), "128\n");
        OptionalInt somaxconn = KernelListenQueues.somaxconn(proc);
        assertEquals(OptionalInt.of(128), somaxconn);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 1883);
        assertEquals(OptionalInt.of(128), KernelListenQueues.effectiveBacklog("mqtt", a, 4096, somaxconn));
        assertEquals(OptionalInt.of(100), KernelListenQueues.effectiveBacklog("mqtt", a, 100, somaxconn));
        assertEquals(OptionalInt.empty(), KernelListenQueues.effectiveBacklog("mqtt", a, 100, OptionalInt.empty()));
        assertTrue(KernelListenQueues.hexAddress("nonsense") == null);
    }

    private void writeQueue(int n) throws Exception {
        Files.writeString(proc.resolve("net/tcp"), HEADER + "   0: 0100007F:075B 00000000:0000 0A 00000000:"
                + String.format("%08X", n) + " 00:00000000 00000000  1000 0 11 1 x 100 0 0 10 0\n");
    }
}
