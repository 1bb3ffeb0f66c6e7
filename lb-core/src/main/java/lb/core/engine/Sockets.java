package lb.core.engine;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Opens sockets of their address's own family. The JDK opens a dual-stack IPv6 socket by
 * default, even for an IPv4 peer: one more system call to open it ({@code IPV6_V6ONLY}), a
 * kernel socket 128 bytes larger, and IPv4-mapped addresses converted on every call. An IPv4
 * address gets an IPv4 socket here; anything else keeps the JDK's choice, and so does the IPv4
 * wildcard on a listener, which the JDK turns into a dual-stack one that takes IPv6 clients too.
 * Stateless.
 */
final class Sockets {
    private Sockets() {
    }

    /** An unconnected channel for connecting to {@code remote}. */
    static SocketChannel toward(InetSocketAddress remote) throws IOException {
        return isIpv4(remote.getAddress()) ? SocketChannel.open(StandardProtocolFamily.INET) : SocketChannel.open();
    }

    /** An unbound channel for listening on {@code local}. */
    static ServerSocketChannel listeningOn(InetSocketAddress local) throws IOException {
        InetAddress address = local.getAddress();
        return isIpv4(address) && !address.isAnyLocalAddress()
                ? ServerSocketChannel.open(StandardProtocolFamily.INET) : ServerSocketChannel.open();
    }

    private static boolean isIpv4(InetAddress address) {
        return address instanceof Inet4Address;
    }
}
