package lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.proxy.ProxyFormat;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

/**
 * PROXY protocol version 2 into a running frontend, with headers written out byte by byte from
 * the specification (haproxy's proxy-protocol.txt, section 2.2), not by our encoder:
 *
 * <pre>
 * 12 bytes  signature 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
 *  1 byte   version 2 (high nibble) | command: 0 LOCAL, 1 PROXY
 *  1 byte   family (high nibble: 1 INET, 2 INET6) | protocol (low nibble: 1 STREAM)
 *  2 bytes  length of what follows, big-endian: addresses, ports, then TLVs
 *  INET:    source address (4), destination address (4), source port (2), destination port (2)
 *  INET6:   source address (16), destination address (16), source port (2), destination port (2)
 * </pre>
 */
class ProxyV2FrontendTest {
    private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";
    private static final byte[] PAYLOAD = Clients.ascii("hello");

    @Test
    void aTcp4HeaderGivesTheTunnelItsClientAndNeverReachesTheServer() throws Exception {
        // PROXY, TCP over IPv4, 12 bytes: 192.0.2.10:40001 -> 198.51.100.1:1883
        byte[] header = hex(SIGNATURE + "21" + "11" + "000c" + "c000020a" + "c6336401" + "9c41" + "075b");
        TunnelEvent e = throughAnEcho(header);
        assertEquals(new InetSocketAddress("192.0.2.10", 40001), e.client());
    }

    @Test
    void aTcp6HeaderWithTlvsGivesTheTunnelItsClient() throws Exception {
        // PROXY, TCP over IPv6, 36 address bytes + an authority TLV (type 0x02, 14 bytes) + a
        // NOOP TLV (type 0x04, 3 bytes): [2001:db8::7]:50000 -> [2001:db8::1]:8883
        String tlvs = "02" + "000e" + HexFormat.of().formatHex(Clients.ascii("broker.example")) + "04" + "0003" + "000000";
        String addresses = "20010db8000000000000000000000007" + "20010db8000000000000000000000001" + "c350" + "22b3";
        int length = (addresses.length() + tlvs.length()) / 2;
        byte[] header = hex(SIGNATURE + "21" + "21" + String.format("%04x", length) + addresses + tlvs);
        TunnelEvent e = throughAnEcho(header);
        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 50000), e.client());
    }

    @Test
    void aLocalHeaderKeepsTheRealPeerAsTheClient() throws Exception {
        // LOCAL (the balancer in front checking us), family UNSPEC, no addresses.
        byte[] header = hex(SIGNATURE + "20" + "00" + "0000");
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(true));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(concat(header, PAYLOAD));
            assertArrayEquals(PAYLOAD, Clients.readExactly(c.getInputStream(), PAYLOAD.length));
            InetSocketAddress self = (InetSocketAddress) c.getLocalSocketAddress();
            c.close();
            assertEquals(self, log.next().client());
        }
    }

    @Test
    void aVersion2ClientIsPassedOnToAServerAsAVersion1Line() throws Exception {
        byte[] header = hex(SIGNATURE + "21" + "11" + "000c" + "c000020a" + "c6336401" + "9c41" + "075b");
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             LoadBalancer lb = Balancers.start(null, b -> b.server("s",
                     (InetSocketAddress) server.getLocalSocketAddress(), o -> o.sendProxy(ProxyFormat.V1)),
                     f -> f.acceptProxy(true));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(concat(header, PAYLOAD));
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                assertEquals("PROXY TCP4 192.0.2.10 198.51.100.1 40001 1883\r", Clients.readLine(s.getInputStream()));
                assertArrayEquals(PAYLOAD, Clients.readExactly(s.getInputStream(), PAYLOAD.length));
            }
        }
    }

    @Test
    void aHeaderWithAWrongVersionIsRefusedBeforeAnyServer() throws Exception {
        // Version 1 in the binary form does not exist: only 2 is valid in the high nibble.
        byte[] header = hex(SIGNATURE + "11" + "11" + "000c" + "c000020a" + "c6336401" + "9c41" + "075b");
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(true));
             Socket c = Clients.connect(Balancers.address(lb))) {
            c.getOutputStream().write(concat(header, PAYLOAD));
            assertEquals(Termination.PROXY_INVALID, log.next().termination());
            assertEquals(-1, c.getInputStream().read());
            assertEquals(0, echo.accepted());
        }
    }

    /** Sends {@code header} then the payload, in one write and then byte by byte; returns the second event. */
    private static TunnelEvent throughAnEcho(byte[] header) throws Exception {
        EventLog log = new EventLog();
        try (FakeServer echo = FakeServer.echo("echo");
             LoadBalancer lb = Balancers.start(log, b -> b.server("echo", echo.address()), f -> f.acceptProxy(true))) {
            try (Socket c = Clients.connect(Balancers.address(lb))) {
                c.getOutputStream().write(concat(header, PAYLOAD));
                assertArrayEquals(PAYLOAD, Clients.readExactly(c.getInputStream(), PAYLOAD.length));
            }
            TunnelEvent whole = log.next();
            try (Socket c = Clients.connect(Balancers.address(lb))) {
                OutputStream out = c.getOutputStream();
                for (byte b : concat(header, PAYLOAD)) {
                    out.write(b);
                    out.flush();
                }
                assertArrayEquals(PAYLOAD, Clients.readExactly(c.getInputStream(), PAYLOAD.length));
            }
            TunnelEvent bytewise = log.next();
            for (TunnelEvent e : new TunnelEvent[] {whole, bytewise}) {
                assertEquals(Termination.CLIENT_CLOSED, e.termination());
                assertEquals(PAYLOAD.length, e.bytesFromClient(), "the header is not the client's data");
            }
            assertEquals(2L * PAYLOAD.length, echo.bytesReceived(), "the server never sees a header");
            assertEquals(whole.client(), bytewise.client());
            return bytewise;
        }
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
