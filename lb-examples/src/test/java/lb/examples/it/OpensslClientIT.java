package lb.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import lb.core.LoadBalancer;
import lb.core.model.Termination;
import lb.core.model.TunnelEvent;
import lb.core.testing.EventLog;
import lb.core.testing.ExternalTool;
import lb.core.testing.FakeServer;
import lb.core.tls.ClientAuth;
import lb.core.tls.TlsSettings;

/**
 * OpenSSL's own client ({@code openssl s_client}) against a TLS frontend: the certificate the
 * SNI names (and the default without one), TLS 1.0 and 1.1 refused by the balancer (the client
 * is allowed to offer them), and mutual TLS refusing a client without a certificate and one
 * whose certificate another CA signed. Refusals are read from the balancer's tunnel events, so
 * a client-side failure cannot pass for one; nothing refused reaches the server.
 */
@Timeout(60)
class OpensslClientIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final EventLog events = new EventLog();
    private Path openssl;
    private Path ca;
    private FakeServer echo;
    private LoadBalancer lb;

    @BeforeEach
    void start() throws Exception {
        openssl = ExternalTool.require("openssl", "openssl");
        ca = TestTls.file("ca-cert.pem");
        echo = FakeServer.echo("echo");
    }

    @AfterEach
    void stop() {
        if (lb != null) {
            lb.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void theServerNameChoosesTheCertificateAndNoNameGetsTheDefault() throws Exception {
        startBalancer(TlsSettings.of(TestTls.fallback(), TestTls.broker(), TestTls.devices()));
        for (String[] nameAndCn : new String[][] {
            {"mqtt.example.com", "broker.example.com"},
            {"broker.example.com", "broker.example.com"},
            {"sensor-9.devices.example.com", "*.devices.example.com"},
            {"fallback.example.com", "fallback.example.com"},
            {null, "fallback.example.com"}}) {
            List<String> args = new ArrayList<>(List.of("-CAfile", ca.toString(), "-verify_return_error"));
            if (nameAndCn[0] != null) {
                args.addAll(List.of("-servername", nameAndCn[0]));
            } else {
                args.add("-noservername");
            }
            ExternalTool.Result r = sClient(args);
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("Verification: OK"), r.output());
            assertTrue(r.output().contains("Peer certificate: O = lb test, CN = " + nameAndCn[1]),
                    nameAndCn[0] + " -> " + nameAndCn[1] + ": " + r.output());
            assertTrue(r.output().contains("Protocol version: TLSv1.3"), r.output());
            TunnelEvent e = events.next(WAIT);
            assertEquals(nameAndCn[0], e.tls().serverName());
        }
    }

    @Test
    void tls10AndTls11AreRefusedByTheBalancerAndTls12IsAccepted() throws Exception {
        startBalancer(TlsSettings.of(TestTls.broker()));
        for (String old : List.of("-tls1", "-tls1_1")) {
            // OpenSSL 3 will not even offer these at its default security level: lower it, so the
            // refusal is the balancer's
            ExternalTool.Result r = sClient(List.of(old, "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", ca.toString()));
            assertNotEquals(0, r.exitCode(), r.output());
            TunnelEvent e = events.next(WAIT);
            assertEquals(Termination.TLS_HANDSHAKE_FAILED, e.termination(), old + ": " + e + "\n" + r.output());
            assertTrue(e.detail().contains("NO_SHARED_PROTOCOL"), old + ": " + e.detail());
        }
        ExternalTool.Result r = sClient(List.of("-tls1_2", "-CAfile", ca.toString(), "-verify_return_error"));
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Protocol version: TLSv1.2"), r.output());
        // Not waiting for its tunnel event: see theTunnelOfATls12ClientThatSendsAndClosesAtOnceEndsAtOnce.
        assertEquals(1, echo.accepted(), "only the TLS 1.2 client reached the server");
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateAndOneFromAnotherCa() throws Exception {
        startBalancer(TlsSettings.of(TestTls.broker()).withClientAuth(ClientAuth.REQUIRED, TestTls.ca()));
        Path clientCert = TestTls.file("client-cert.pem");
        Path clientKey = TestTls.file("client-key-pkcs8.pem");
        Path rogueCert = TestTls.file("rogue-cert.pem");
        Path rogueKey = TestTls.file("rogue-key-pkcs8.pem");

        ExternalTool.Result good = sClient(List.of("-CAfile", ca.toString(), "-cert", clientCert.toString(),
                "-key", clientKey.toString()));
        assertEquals(0, good.exitCode(), good.output());
        TunnelEvent accepted = events.next(WAIT);
        assertEquals("device-17", accepted.tls().clientCommonName(), String.valueOf(accepted));

        // In TLS 1.3 the client finishes before the server has judged its certificate, so the
        // refusal arrives as an alert after s_client thinks it is connected: the event tells.
        sClient(List.of("-CAfile", ca.toString()));
        TunnelEvent none = events.next(WAIT);
        assertEquals(Termination.TLS_HANDSHAKE_FAILED, none.termination(), String.valueOf(none));
        assertTrue(none.detail().contains("CERTIFICATE_REQUIRED"), none.detail());

        sClient(List.of("-CAfile", ca.toString(), "-cert", rogueCert.toString(), "-key", rogueKey.toString()));
        TunnelEvent rogue = events.next(WAIT);
        assertEquals(Termination.TLS_HANDSHAKE_FAILED, rogue.termination(), String.valueOf(rogue));
        assertTrue(rogue.detail().contains("BAD_CERTIFICATE"), rogue.detail());

        assertEquals(1, echo.accepted(), "only the certified client reached the server");
    }

    @Test
    void theTunnelOfATls12ClientThatSendsAndClosesAtOnceEndsAtOnce() throws Exception {
        startBalancer(TlsSettings.of(TestTls.broker()));
        for (String protocol : List.of("-tls1_3", "-tls1_2")) {
            ExternalTool.Result r = sClient(List.of(protocol, "-CAfile", ca.toString()));
            assertEquals(0, r.exitCode(), r.output());
            TunnelEvent e = events.next(WAIT);
            assertEquals(Termination.CLIENT_CLOSED, e.termination(), protocol + ": " + e);
        }
    }

    private void startBalancer(TlsSettings tls) {
        lb = LoadBalancer.builder().eventLoops(2).listener(events)
                .backend("b", b -> b.server("echo", echo.address()))
                .frontend("tls", f -> f.listen(new InetSocketAddress("127.0.0.1", 0)).tls(tls).backend("b"))
                .build().start();
    }

    /** One s_client run that handshakes, sends a line and ends at the end of its input. */
    private ExternalTool.Result sClient(List<String> extra) throws Exception {
        InetSocketAddress at = lb.frontend("tls").boundAddresses().get(0);
        List<String> command = new ArrayList<>(List.of(openssl.toString(), "s_client", "-brief",
                "-connect", "127.0.0.1:" + at.getPort()));
        command.addAll(extra);
        return ExternalTool.run(command, "hello\n", 20);
    }
}
