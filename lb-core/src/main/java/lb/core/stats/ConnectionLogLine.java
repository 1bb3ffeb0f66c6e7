package lb.core.stats;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import lb.core.model.TlsFacts;
import lb.core.model.TunnelEvent;

/**
 * Formats a {@link TunnelEvent} as one tcplog-style line:
 *
 * <pre>
 * 203.0.113.7:51234 [2026-11-03T10:15:42.123Z] mqtt brokers/broker-a 2/0/1/3521 312/1840 client_closed attempts=1 key="sensor-42"
 * </pre>
 *
 * The fields: client address:port; when it was accepted (UTC); frontend; backend/server;
 * inspect/queue/connect/total milliseconds; bytes client-to-server/server-to-client; the
 * termination; connect attempts; then the key (the MQTT client id) and the detail, when known.
 * A stage the tunnel never reached shows -1; a tunnel refused before it had a server shows
 * {@code backend/<NOSRV>}, or {@code -/-} before it reached a backend. The key and the detail
 * are quoted and escaped (a client id is the client's to choose, so it must not forge lines)
 * and cut at {@link #MAX_QUOTED} characters. Stateless and thread-safe.
 */
final class ConnectionLogLine {
    static final int MAX_QUOTED = 256;
    private static final DateTimeFormatter ACCEPTED_AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ConnectionLogLine() {
    }

    static String format(TunnelEvent e) {
        StringBuilder sb = new StringBuilder(192);
        sb.append(HostPort.of(e.client()));
        sb.append(" [").append(ACCEPTED_AT.format(Instant.ofEpochMilli(e.acceptedAtEpochMillis()))).append("] ");
        plain(sb, e.frontend()).append(' ');
        if (e.backend() == null) {
            sb.append("-/-");
        } else {
            plain(sb, e.backend()).append('/');
            if (e.server() == null) {
                sb.append("<NOSRV>");
            } else {
                plain(sb, e.server());
            }
        }
        sb.append(' ').append(millis(e.inspectNs())).append('/').append(millis(e.queueNs()))
                .append('/').append(millis(e.connectNs())).append('/').append(millis(e.totalNs()));
        sb.append(' ').append(e.bytesFromClient()).append('/').append(e.bytesFromServer());
        sb.append(' ').append(e.termination().name().toLowerCase(Locale.ROOT));
        sb.append(" attempts=").append(e.connectAttempts());
        if (e.key() != null) {
            quoted(sb.append(" key="), e.key());
        }
        if (e.tls() != null) {
            TlsFacts tls = e.tls();
            sb.append(" tls=").append(tls.protocol());
            if (tls.serverName() != null) {
                quoted(sb.append(" sni="), tls.serverName());
            }
            if (tls.applicationProtocol() != null) {
                quoted(sb.append(" alpn="), tls.applicationProtocol());
            }
            if (tls.clientCertificate() != null) {
                quoted(sb.append(" cert="), tls.clientCertificate().getSubjectX500Principal().getName());
            }
        }
        if (e.detail() != null) {
            quoted(sb.append(" detail="), e.detail());
        }
        return sb.toString();
    }

    private static long millis(long ns) {
        return ns < 0 ? -1 : ns / 1_000_000;
    }

    /** Names come from the configuration; they are escaped only so a line stays one line. */
    private static StringBuilder plain(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            escape(sb, s.charAt(i), false);
        }
        return sb;
    }

    private static void quoted(StringBuilder sb, String s) {
        sb.append('"');
        int n = Math.min(s.length(), MAX_QUOTED);
        for (int i = 0; i < n; i++) {
            escape(sb, s.charAt(i), true);
        }
        if (s.length() > MAX_QUOTED) {
            sb.append("...");
        }
        sb.append('"');
    }

    private static void escape(StringBuilder sb, char c, boolean inQuotes) {
        switch (c) {
            case '\\' -> sb.append("\\\\");
            case '"' -> sb.append(inQuotes ? "\\\"" : "\"");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> {
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                    sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                            .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                } else {
                    sb.append(c);
                }
            }
        }
    }
}
