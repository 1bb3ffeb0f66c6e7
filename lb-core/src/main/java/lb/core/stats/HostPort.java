package lb.core.stats;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Writes a socket address as {@code host:port}, IPv6 hosts in brackets, with no name lookup. */
public final class HostPort {
    private HostPort() {
    }

    public static String of(InetSocketAddress address) {
        if (address == null) {
            return "-";
        }
        InetAddress ip = address.getAddress();
        String host = ip != null ? ip.getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
