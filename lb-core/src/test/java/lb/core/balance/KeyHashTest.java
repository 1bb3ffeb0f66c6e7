package lb.core.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    @Property(tries = 300)
    void keyHashesAreNeverNegativeAndAddressHashesAlwaysAre(@ForAll String key, @ForAll byte[] ip) throws UnknownHostException {
        assertTrue(KeyHash.hasKey(KeyHash.of(key)));
        byte[] raw = new byte[ip.length >= 8 ? 16 : 4];
        System.arraycopy(ip, 0, raw, 0, Math.min(ip.length, raw.length));
        assertFalse(KeyHash.hasKey(KeyHash.of(InetAddress.getByAddress(raw))));
    }

    @Test
    void hashesAreFixedFunctionsOfTheKeySoEveryInstanceAndVersionAgrees() throws UnknownHostException {
        // Pinned values: changing them would send every client id to a different broker
        // during a rolling upgrade of a multi-instance deployment.
        assertEquals(0x16dab2e48fe0b34bL, KeyHash.of("client-1"));
        assertEquals(0x98c5106e7750ee1cL, KeyHash.of(InetAddress.getByName("192.0.2.1")));
        assertEquals(KeyHash.of(new StringBuilder("client-1")), KeyHash.of("client-1"));
    }

    @Test
    void thePortDoesNotMatterButTheHostDoes() throws UnknownHostException {
        assertNotEquals(KeyHash.of(InetAddress.getByName("192.0.2.1")), KeyHash.of(InetAddress.getByName("192.0.2.2")));
        assertNotEquals(KeyHash.of(InetAddress.getByName("2001:db8::1")), KeyHash.of(InetAddress.getByName("2001:db8::2")));
    }
}
