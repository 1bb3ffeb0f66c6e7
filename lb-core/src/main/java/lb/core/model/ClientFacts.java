package lb.core.model;

import java.net.InetSocketAddress;

/**
 * What the load balancer knows of a client besides its bytes, handed to a
 * {@link KeyExtractor}: its address (the one a trusted PROXY header gave, if any) and, on a
 * frontend that terminates TLS, its handshake. Immutable.
 *
 * @param address the client's address
 * @param tls     its TLS handshake, or null on a plain frontend
 */
public record ClientFacts(InetSocketAddress address, TlsFacts tls) {
}
