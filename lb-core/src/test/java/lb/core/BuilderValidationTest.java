package lb.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse fails while building, with a message naming the field. */
class BuilderValidationTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 10_001);
    private static final InetSocketAddress LISTEN = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void anUnknownBackendIsNamed() {
        fails("unknown backend 'nope'", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER))
                .frontend("f", f -> f.listen(LISTEN).backend("nope"))
                .build());
    }

    @Test
    void duplicateNamesAreNamed() {
        fails("duplicate server name 's'", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER).server("s", SERVER)));
        fails("duplicate backend name 'b'", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER))
                .backend("b", b -> b.server("s", SERVER)));
        fails("duplicate frontend name 'f'", () -> LoadBalancer.builder()
                .frontend("f", f -> f.listen(LISTEN).backend("b"))
                .frontend("f", f -> f.listen(LISTEN).backend("b")));
    }

    @Test
    void badPortsAndValuesAreNamed() {
        fails("server 's': port must be 1..65535", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", new InetSocketAddress("127.0.0.1", 0))));
        fails("weight must be 0..256", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER, o -> o.weight(300))));
        fails("connectTimeout must be > 0", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER).connectTimeout(Duration.ZERO)));
        fails("retries must be 0..100", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER).retries(-1)));
        fails("frontend 'f': maxConnections must be >= 0", () -> LoadBalancer.builder()
                .frontend("f", f -> f.maxConnections(-5)));
        fails("eventLoops must be 1..1024", () -> LoadBalancer.builder().eventLoops(0));
    }

    @Test
    void missingPiecesAreNamed() {
        fails("no frontend", () -> LoadBalancer.builder().backend("b", b -> b.server("s", SERVER)).build());
        fails("backend 'b': no servers", () -> LoadBalancer.builder()
                .backend("b", b -> { })
                .frontend("f", f -> f.listen(LISTEN).backend("b"))
                .build());
        fails("frontend 'f': no listen address", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER))
                .frontend("f", f -> f.backend("b"))
                .build());
        fails("frontend 'f': no backend", () -> LoadBalancer.builder()
                .backend("b", b -> b.server("s", SERVER))
                .frontend("f", f -> f.listen(LISTEN))
                .build());
    }

    private static void fails(String expectedMessagePart, Executable misuse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, misuse);
        assertTrue(e.getMessage().contains(expectedMessagePart),
                "message '" + e.getMessage() + "' should contain '" + expectedMessagePart + "'");
    }
}
