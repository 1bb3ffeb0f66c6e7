package lb.core.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A block of IP addresses in CIDR notation: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a
 * single address ({@code 192.0.2.7} means {@code /32}, an IPv6 address {@code /128}). A value:
 * the address is kept with its host bits cleared, so two spellings of one network are equal.
 * IPv4 clients that reach an IPv6 socket (as {@code ::ffff:a.b.c.d}) are matched as IPv4.
 */
public record Network(InetAddress address, int prefixLength) {
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Every IPv4 address. */
    public static final Network ANY_IPV4 = parse("0.0.0.0/0");
    /** Every IPv6 address. */
    public static final Network ANY_IPV6 = parse("::/0");

    public Network {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + " for " + address.getHostAddress()
                    + ", was " + prefixLength);
        }
        address = masked(address.getAddress(), prefixLength);
    }

    /**
     * Reads {@code ADDRESS[/PREFIX]}; the address is a literal, never a name to look up. Throws
     * {@link IllegalArgumentException} naming what is wrong.
     */
    public static Network parse(String cidr) {
        Objects.requireNonNull(cidr, "network");
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(host, cidr);
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("network '" + cidr + "': prefix length is not a number");
            }
        }
        return new Network(address, prefix);
    }

    /** Whether {@code a} lies in this network. */
    public boolean contains(InetAddress a) {
        byte[] mine = address.getAddress();
        byte[] theirs = comparable(a.getAddress(), mine.length);
        if (theirs == null) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (mine[i] != theirs[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (mine[full] & mask) == (theirs[full] & mask);
    }

    /** Whether any of {@code networks} contains {@code a}. */
    public static boolean anyContains(Iterable<Network> networks, InetAddress a) {
        for (Network n : networks) {
            if (n.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The network of {@code prefixLength} bits (of an IPv4 address) or {@code ipv6PrefixLength}
     * (of an IPv6 one) around {@code a}: the block a per-source limit counts it in.
     */
    public static Network around(InetAddress a, int prefixLength, int ipv6PrefixLength) {
        byte[] bytes = comparable(a.getAddress(), 4);
        if (bytes != null) {
            return new Network(masked(bytes, prefixLength), prefixLength);
        }
        return new Network(a, ipv6PrefixLength);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }

    /** {@code raw} as {@code length} bytes: an IPv4-mapped IPv6 address as IPv4; null if it cannot be. */
    private static byte[] comparable(byte[] raw, int length) {
        if (raw.length == length) {
            return raw;
        }
        if (length == 4 && raw.length == 16 && isIpv4Mapped(raw)) {
            byte[] v4 = new byte[4];
            System.arraycopy(raw, 12, v4, 0, 4);
            return v4;
        }
        return null;
    }

    private static boolean isIpv4Mapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return false;
            }
        }
        return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    }

    private static InetAddress masked(byte[] bytes, int prefixLength) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return out.length == 4 ? Inet4Address.getByAddress(out) : InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which cannot happen here
        }
    }

    /** An address literal; a host name is refused rather than looked up. */
    private static InetAddress literal(String host, String cidr) {
        try {
            if (host.indexOf(':') >= 0) { // the JDK reads anything with a colon as an IPv6 literal, never a name
                return InetAddress.getByName(host.startsWith("[") && host.endsWith("]")
                        ? host.substring(1, host.length() - 1) : host);
            }
            if (DOTTED_QUAD.matcher(host).matches()) {
                String[] parts = host.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        throw new UnknownHostException(parts[i] + " is over 255");
                    }
                    bytes[i] = (byte) v;
                }
                return InetAddress.getByAddress(bytes);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("network '" + cidr + "': not an IP address: " + e.getMessage());
        }
        throw new IllegalArgumentException("network '" + cidr + "': expected an IP address literal");
    }
}
