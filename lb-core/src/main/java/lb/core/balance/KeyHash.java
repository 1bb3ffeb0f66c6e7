package lb.core.balance;

import java.net.InetAddress;

/**
 * The 64-bit hashes balancers see as {@code keyHash}. Fixed functions of the key's characters
 * (or the address's bytes), the same in every JVM, so separate balancer instances agree on
 * where a key goes without sharing any state.
 */
public final class KeyHash {
    private KeyHash() {
    }

    /** FNV-1a over the UTF-16 code units, then a 64-bit finaliser for avalanche. */
    public static long of(CharSequence key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
            h = (h ^ (c >>> 8)) * 0x100000001b3L;
        }
        return mix(h);
    }

    /** Hash of the address only (not the port): one client host maps to one server. */
    public static long of(InetAddress address) {
        return mix(address.hashCode() & 0xffffffffL ^ 0x9e3779b97f4a7c15L);
    }

    /** The finaliser of MurmurHash3's 64-bit variant. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
