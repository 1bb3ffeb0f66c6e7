package lb.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class NetworkTest {

    @Test
    void twoSpellingsOfOneNetworkAreEqual() {
        assertEquals(Network.parse("10.0.0.0/8"), Network.parse("10.20.30.40/8"));
        assertEquals("10.0.0.0/8", Network.parse("10.20.30.40/8").toString());
        assertEquals(Network.parse("2001:db8::/32"), Network.parse("[2001:db8:ffff::1]/32"));
        assertEquals("192.0.2.7/32", Network.parse("192.0.2.7").toString(), "a bare address is one host");
        assertEquals(128, Network.parse("::1").prefixLength());
    }

    @Test
    void containsAddressesInsideThePrefixOnly() throws Exception {
        Network n = Network.parse("192.168.4.0/22");
        assertTrue(n.contains(InetAddress.getByName("192.168.4.1")));
        assertTrue(n.contains(InetAddress.getByName("192.168.7.255")));
        assertFalse(n.contains(InetAddress.getByName("192.168.8.0")));
        assertFalse(n.contains(InetAddress.getByName("192.168.3.255")));
        assertFalse(n.contains(InetAddress.getByName("2001:db8::1")), "another family is never inside");
        assertTrue(Network.ANY_IPV4.contains(InetAddress.getByName("203.0.113.9")));
        assertFalse(Network.ANY_IPV4.contains(InetAddress.getByName("::1")));
        assertTrue(Network.ANY_IPV6.contains(InetAddress.getByName("::1")));
        Network v6 = Network.parse("2001:db8:aa::/48");
        assertTrue(v6.contains(InetAddress.getByName("2001:db8:aa:ffff::9")));
        assertFalse(v6.contains(InetAddress.getByName("2001:db8:ab::9")));
    }

    @Test
    void anIpv4ClientOnAnIpv6SocketIsMatchedAsIpv4() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 7;
        InetAddress a = InetAddress.getByAddress(mapped);
        assertTrue(Network.parse("10.0.0.0/8").contains(a));
        assertTrue(Network.anyContains(List.of(Network.parse("192.0.2.0/24"), Network.parse("10.0.0.0/8")), a));
    }

    @Test
    void theBlockAroundAnAddressUsesThePrefixOfItsFamily() throws Exception {
        assertEquals(Network.parse("198.51.100.0/24"), Network.around(InetAddress.getByName("198.51.100.77"), 24, 64));
        assertEquals(Network.parse("2001:db8:1:2::/64"),
                Network.around(InetAddress.getByName("2001:db8:1:2:3:4:5:6"), 24, 64));
    }

    @Test
    void namesAndBadLiteralsAreRefusedWithoutALookup() {
        for (String bad : List.of("localhost", "example.org/8", "300.1.1.1", "10.0.0.0/33", "10.0.0.0/x", "::1/129",
                "abc", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.parse(bad), bad);
            assertTrue(e.getMessage().contains("network") || e.getMessage().contains("prefix"), e.getMessage());
        }
    }
}
