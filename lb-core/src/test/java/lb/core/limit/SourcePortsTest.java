package lb.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lb.core.LoadBalancer;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.Await;
import lb.core.testing.Balancers;
import lb.core.testing.Clients;
import lb.core.testing.EventLog;
import lb.core.testing.FakeServer;

class SourcePortsTest {

    @Test
    void portsAreHandedOutOnceAndReusedLast() throws Exception {
        SourcePorts ports = new SourcePorts(InetAddress.getLoopbackAddress(), 100, 104);
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            taken.add(ports.take());
        }
        assertEquals(Set.of(100, 101, 102, 103, 104), taken);
        assertEquals(-1, ports.take(), "exhausted");
        ports.give(101);
        ports.give(103);
        assertEquals(101, ports.take(), "the cursor wraps to the first free port");
        assertEquals(103, ports.take());
        assertEquals(5, ports.inUse());
    }

    /**
     * Two source addresses x 500 ports x two servers: 2,000 tunnels at once, because each
     * source's range is reused for each server; the next one fails clearly.
     */
    @Test
    void twoSourcesOf500PortsCarry2000TunnelsToTwoServers() throws Exception {
        EventLog log = new EventLog();
        List<Socket> clients = new ArrayList<>();
        try (FakeServer a = FakeServer.start("a", FakeServer.Mode.SINK);
             FakeServer b = FakeServer.start("b", FakeServer.Mode.SINK);
             LoadBalancer lb = Balancers.start(log, be -> be
                     .server("a", a.address(), o -> o.source("127.0.0.2", 20_000, 20_499).source("127.0.0.3", 20_000, 20_499))
                     .server("b", b.address(), o -> o.source("127.0.0.2", 20_000, 20_499).source("127.0.0.3", 20_000, 20_499)))) {
            for (int i = 0; i < 2_000; i++) {
                clients.add(Clients.connect(Balancers.address(lb)));
            }
            Await.equal(1_000, Duration.ofSeconds(30), a::openConnections);
            Await.equal(1_000, Duration.ofSeconds(30), b::openConnections);
            assertEquals(0, log.size(), "every tunnel is up");

            clients.add(Clients.connect(Balancers.address(lb)));
            TunnelEvent refused = log.next();
            assertEquals(Termination.CONNECT_FAILED, refused.termination());
            assertTrue(refused.detail().contains("no free source port"), refused.detail());
            assertTrue(lb.backend("b").server("a").sourcePortsExhausted() > 0);
            assertEquals(2_000, a.accepted() + b.accepted());

            clients.remove(0).close();
            Await.equal(1_999, Duration.ofSeconds(10), () -> a.openConnections() + b.openConnections());
            clients.add(Clients.connect(Balancers.address(lb)));
            Await.equal(2_000, Duration.ofSeconds(10), () -> a.openConnections() + b.openConnections());
        } finally {
            for (Socket c : clients) {
                c.close();
            }
        }
    }
}
