package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;

import org.junit.jupiter.api.Test;

/**
 * IPv4 addresses get IPv4 sockets (which take no IPv6 address), IPv6 ones IPv6 sockets, and a
 * listener on the IPv4 wildcard stays dual-stack, so IPv6 clients still reach it.
 */
class SocketsTest {
    private static final InetSocketAddress V4 = new InetSocketAddress("127.0.0.1", 1883);
    private static final InetSocketAddress V6_LOOPBACK = new InetSocketAddress("::1", 0);

    @Test
    void anIpv4PeerGetsAnIpv4Socket() throws IOException {
        try (SocketChannel ch = Sockets.toward(V4)) {
            assertThrows(UnsupportedAddressTypeException.class, () -> ch.bind(V6_LOOPBACK));
        }
        try (ServerSocketChannel ch = Sockets.listeningOn(V4)) {
            assertThrows(UnsupportedAddressTypeException.class, () -> ch.bind(V6_LOOPBACK));
        }
    }

    @Test
    void anIpv6PeerGetsAnIpv6Socket() throws IOException {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback here");
        try (SocketChannel ch = Sockets.toward(new InetSocketAddress("::1", 1883))) {
            ch.bind(V6_LOOPBACK);
        }
    }

    @Test
    void aListenerOnTheIpv4WildcardTakesIpv6ClientsToo() throws IOException {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback here");
        try (ServerSocketChannel listener = Sockets.listeningOn(new InetSocketAddress(0))) {
            listener.bind(new InetSocketAddress(0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("::1", port));
                 SocketChannel accepted = listener.accept()) {
                assertTrue(accepted != null && client.isConnected(), "an IPv6 client was taken");
            }
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(V6_LOOPBACK);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
