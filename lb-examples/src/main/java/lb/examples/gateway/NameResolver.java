package lb.examples.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Looks a host name up: the seam through which server-template names are resolved, so tests
 * can say what a name resolves to. Called off the event loops (start, reload, the resolve
 * thread); it may block.
 */
@FunctionalInterface
interface NameResolver {
    /** The system's resolver (DNS, /etc/hosts), through the JVM's address cache. */
    NameResolver SYSTEM = InetAddress::getAllByName;

    /** Every address {@code host} has now; never empty: a name with none throws. */
    InetAddress[] resolve(String host) throws UnknownHostException;
}
