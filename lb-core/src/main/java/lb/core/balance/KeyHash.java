package lb.core.balance;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The 64-bit hashes balancers see as {@code keyHash}. Fixed functions of the key's characters
 * (or the address's bytes), the same in every JVM, so separate balancer instances agree on
 * where a key goes without sharing any state.
 *
 * <p>The sign tells the two kinds apart: a routing key's hash is never negative, a client
 * address's hash always is. So a key-hash balancer knows from {@link #hasKey(long)} alone that
 * the frontend found no key (an empty MQTT client id, say) and can hand the tunnel to its
 * fallback, while the engine keeps passing one {@code long}. The lost bit leaves 63 bits of
 * hash, far more than any ring or table resolves.
 */
public final class KeyHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private KeyHash() {
    }

    /** Hash of a routing key: FNV-1a over the UTF-16 code units, finalised; never negative. */
    public static long of(CharSequence key) {
        return mix(fnv(key)) & Long.MAX_VALUE;
    }

    /** Hash of a client address, not its port (one host maps to one server); always negative. */
    public static long of(InetAddress address) {
        long h;
        if (address instanceof Inet4Address) {
            // An IPv4 address's hashCode is the address itself: exact, and no allocation.
            h = address.hashCode() & 0xffffffffL;
        } else {
            h = FNV_OFFSET;
            for (byte b : address.getAddress()) {
                h = (h ^ (b & 0xff)) * FNV_PRIME;
            }
        }
        return mix(h ^ GOLDEN) | Long.MIN_VALUE;
    }

    /** True when {@code keyHash} came from a routing key, false when from a client address. */
    public static boolean hasKey(long keyHash) {
        return keyHash >= 0;
    }

    /**
     * A well-spread 64-bit value for a name (a server's), used to seed hash rings and
     * rendezvous scores. Depends on the characters only, so every instance derives the same.
     */
    public static long seed(CharSequence name) {
        return mix(fnv(name) + GOLDEN);
    }

    /** The finaliser of MurmurHash3's 64-bit variant: a bijection with full avalanche. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long fnv(CharSequence s) {
        long h = FNV_OFFSET;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h = (h ^ (c & 0xff)) * FNV_PRIME;
            h = (h ^ (c >>> 8)) * FNV_PRIME;
        }
        return h;
    }
}
