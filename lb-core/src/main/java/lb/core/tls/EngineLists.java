package lb.core.tls;

import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The protocols and cipher suites to give each engine of a context, or null for a list that a
 * fresh engine of that context and mode already has. An engine handed a list keeps its own copy
 * of it for its whole life (a list, its array and a wrapper: 72 bytes for two protocols, 120
 * for the default suites); one handed null shares the context's. Immutable.
 *
 * <p>Protocols compare as sets (the JDK picks a version by the client's preference and the
 * highest common one, never by the order given); cipher suites compare in order, which is the
 * server's preference.
 */
final class EngineLists {
    /** Null: the context's defaults are these already. */
    private final String[] protocols;
    private final String[] cipherSuites;

    EngineLists(SSLContext context, boolean clientMode, List<String> protocols, List<String> cipherSuites) {
        SSLEngine fresh = context.createSSLEngine();
        fresh.setUseClientMode(clientMode);
        this.protocols = Set.copyOf(protocols).equals(Set.of(fresh.getEnabledProtocols())) ? null
                : protocols.toArray(String[]::new);
        this.cipherSuites = cipherSuites.equals(List.of(fresh.getEnabledCipherSuites())) ? null
                : cipherSuites.toArray(String[]::new);
    }

    /**
     * Sets both lists on {@code p}, null where the defaults agree: an engine already in its
     * final mode keeps its shared defaults for a null list.
     */
    void applyTo(SSLParameters p) {
        p.setProtocols(protocols);
        p.setCipherSuites(cipherSuites);
    }
}
