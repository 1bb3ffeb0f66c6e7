package lb.core.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Picks the certificate a handshake presents by the SNI host name the client asked for. Immutable
 * once built, so every loop's engines may call it at once.
 *
 * <p>The candidates for a name are the keys with that exact DNS name (subjectAltName dNSName,
 * or the common name when a certificate has no dNSName); failing that, those with a wildcard
 * {@code *.parent} covering it; failing that, or with no SNI at all, the default key. Among the
 * candidates, in configuration order, the first whose key type the JDK asks for wins: it asks
 * per signature scheme the client accepts, so a name served by both an EC and an RSA
 * certificate gets whichever the client prefers, and a name with only an RSA one is never
 * answered with an EC default. Aliases are the keys' positions ("0", "1", ...).
 *
 * <p>As a client key manager (re-encryption to servers that want a client certificate) it
 * offers the default key whenever its type is acceptable.
 */
public final class CertificateSelector extends X509ExtendedKeyManager {
    private final CertifiedKey[] keys;
    private final String[] aliases;
    private final int[] defaultOnly;
    private final int defaultIndex;
    private final Map<String, int[]> exact;
    private final Map<String, int[]> wildcards;

    /** {@code defaultKey} must be one of {@code keys}. */
    public CertificateSelector(List<CertifiedKey> keys, CertifiedKey defaultKey) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one certified key");
        }
        this.keys = keys.toArray(CertifiedKey[]::new);
        this.defaultIndex = keys.indexOf(Objects.requireNonNull(defaultKey, "defaultKey"));
        if (defaultIndex < 0) {
            throw new IllegalArgumentException("the default key must be one of the keys");
        }
        this.defaultOnly = new int[] {defaultIndex};
        this.aliases = new String[this.keys.length];
        Map<String, List<Integer>> exactNames = new HashMap<>();
        Map<String, List<Integer>> wildcardNames = new HashMap<>();
        for (int i = 0; i < this.keys.length; i++) {
            aliases[i] = Integer.toString(i);
            for (String name : HostNames.of(this.keys[i].certificate())) {
                String domain = HostNames.wildcardDomain(name);
                if (domain != null) {
                    add(wildcardNames, domain, i);
                } else if (name.indexOf('*') < 0) {
                    add(exactNames, name, i);
                }
            }
        }
        this.exact = frozen(exactNames);
        this.wildcards = frozen(wildcardNames);
    }

    /**
     * The keys that may answer {@code serverName} (any case; null when the client sent none),
     * best first: exact matches, else wildcard matches, else the default.
     */
    public List<CertifiedKey> candidates(String serverName) {
        List<CertifiedKey> out = new ArrayList<>();
        for (int i : indexes(serverName)) {
            out.add(keys[i]);
        }
        return out;
    }

    private int[] indexes(String serverName) {
        if (serverName == null) {
            return defaultOnly;
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        int[] found = exact.get(name);
        if (found == null) {
            String parent = HostNames.parent(name);
            found = parent == null ? null : wildcards.get(parent);
        }
        return found == null ? defaultOnly : found;
    }

    private String choose(String keyType, SSLSession handshake) {
        for (int i : indexes(requestedHostName(handshake))) {
            if (keys[i].key().getAlgorithm().equals(keyType)) {
                return aliases[i];
            }
        }
        return null;
    }

    /** The SNI host name in a handshake in progress, or null. */
    static String requestedHostName(SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession)) {
            return null;
        }
        for (SNIServerName name : ((ExtendedSSLSession) handshake).getRequestedServerNames()) {
            if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                String ascii = name instanceof SNIHostName ? ((SNIHostName) name).getAsciiName()
                        : new SNIHostName(name.getEncoded()).getAsciiName();
                return ascii.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        List<String> matching = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].key().getAlgorithm().equals(keyType)) {
                matching.add(aliases[i]);
            }
        }
        return matching.isEmpty() ? null : matching.toArray(String[]::new);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClientAlias(keyTypes, issuers, (Socket) null);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        String type = keys[defaultIndex].key().getAlgorithm();
        for (String keyType : keyTypes) {
            if (type.equals(keyType)) {
                return aliases[defaultIndex];
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return keys[defaultIndex].key().getAlgorithm().equals(keyType) ? new String[] {aliases[defaultIndex]} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        int i = index(alias);
        return i < 0 ? null : keys[i].chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        int i = index(alias);
        return i < 0 ? null : keys[i].key();
    }

    private int index(String alias) {
        for (int i = 0; i < aliases.length; i++) {
            if (aliases[i].equals(alias)) {
                return i;
            }
        }
        return -1;
    }

    private static void add(Map<String, List<Integer>> map, String name, int index) {
        List<Integer> indexes = map.computeIfAbsent(name, n -> new ArrayList<>());
        if (!indexes.contains(index)) {
            indexes.add(index);
        }
    }

    private static Map<String, int[]> frozen(Map<String, List<Integer>> map) {
        Map<String, int[]> out = new HashMap<>();
        map.forEach((name, indexes) -> out.put(name, indexes.stream().mapToInt(Integer::intValue).toArray()));
        return Map.copyOf(out);
    }
}
