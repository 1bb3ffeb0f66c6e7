package lb.core.health;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * An HTTP/1.1 GET health check, for brokers that tell their readiness over HTTP (EMQX's
 * {@code GET /api/v5/load_rebalance/availability_check} answers 200 while the node takes
 * clients and 503 while it is evacuated; HiveMQ's readiness probe has a port of its own).
 * Given to {@link HealthCheck#http(HttpCheck)}, usually with {@link HealthCheck#port(int)}.
 * A value: every setter returns a changed copy; stateless, so one instance judges the replies of
 * every probe.
 *
 * <p>The reply is judged as its bytes arrive, from the start each time (the probe bounds it to a
 * few kilobytes): the status line decides, then, if a body text is expected, the body must
 * contain it. A reply that is not HTTP/1.x fails as malformed.
 *
 * <pre>
 *   HTTP/1.1 503 Service Unavailable\r\n      RFC 9112 section 4: HTTP-version SP status-code SP [reason]
 *   Content-Length: 11\r\n                    headers, read only when a body text is expected
 *   \r\n
 *   unavailable                               searched for the expected text
 * </pre>
 *
 * @param path the request target, an absolute path such as {@code /health}
 * @param host the Host header, or null for the checked address ({@code 10.0.0.11:8081})
 * @param lowStatus the lowest status that passes
 * @param highStatus the highest status that passes
 * @param body text the body must contain (UTF-8), or null for any body
 */
public record HttpCheck(String path, String host, int lowStatus, int highStatus, String body) implements ReplyMatcher {
    private static final byte[] PREFIX = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
    /** "HTTP/1.1 200" and the byte after it: enough to know the status. */
    private static final int STATUS_END = 13;

    public HttpCheck {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || !isToken(path)) {
            throw new IllegalArgumentException("HTTP check: path must start with / and hold no space or control"
                    + " character, was '" + path + "'");
        }
        if (host != null && (host.isEmpty() || !isToken(host))) {
            throw new IllegalArgumentException("HTTP check: host must be a name without space or control character, was '"
                    + host + "'");
        }
        if (lowStatus < 100 || highStatus > 599 || lowStatus > highStatus) {
            throw new IllegalArgumentException("HTTP check: expected status must be within 100..599, was "
                    + lowStatus + "-" + highStatus);
        }
        if (body != null && body.isEmpty()) {
            throw new IllegalArgumentException("HTTP check: expected body text must not be empty");
        }
    }

    /** {@code GET path}, passing on any 2xx status, any body, Host from the checked address. */
    public static HttpCheck get(String path) {
        return new HttpCheck(path, null, 200, 299, null);
    }

    /** The Host header to send instead of the checked address. */
    public HttpCheck host(String name) {
        return new HttpCheck(path, Objects.requireNonNull(name, "host"), lowStatus, highStatus, body);
    }

    /** Passes on a status from {@code low} to {@code high}, both included. */
    public HttpCheck expectStatus(int low, int high) {
        return new HttpCheck(path, host, low, high, body);
    }

    /** Passes on {@code 200}, a class like {@code 2xx}, or a range like {@code 200-399}. */
    public HttpCheck expectStatus(String status) {
        String s = status.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.matches("[1-5]xx")) {
                int hundreds = (s.charAt(0) - '0') * 100;
                return expectStatus(hundreds, hundreds + 99);
            }
            int dash = s.indexOf('-');
            if (dash > 0) {
                return expectStatus(Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1)));
            }
            int one = Integer.parseInt(s);
            return expectStatus(one, one);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("HTTP check: expected status must be like 200, 2xx or 200-399, was '"
                    + status + "'");
        }
    }

    /** Passes only when the body contains {@code text}. */
    public HttpCheck expectBody(String text) {
        return new HttpCheck(path, host, lowStatus, highStatus, Objects.requireNonNull(text, "body"));
    }

    /** The expected status as written in messages: {@code 2xx}, {@code 200} or {@code 200-399}. */
    public String expectedStatus() {
        if (lowStatus == highStatus) {
            return Integer.toString(lowStatus);
        }
        if (lowStatus % 100 == 0 && highStatus == lowStatus + 99) {
            return lowStatus / 100 + "xx";
        }
        return lowStatus + "-" + highStatus;
    }

    /**
     * The request for the server checked at {@code checked} (its address names the Host when no
     * host is set; null leaves the Host header out unless set). The connection closes after the
     * reply, so nothing is kept open between checks.
     */
    public byte[] request(InetSocketAddress checked) {
        String h = host != null ? host : checked == null ? null : hostHeader(checked);
        return ("GET " + path + " HTTP/1.1\r\n" + (h == null ? "" : "Host: " + h + "\r\n")
                + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public Judgement judge(ByteBuffer received) {
        int start = received.position();
        int length = received.remaining();
        for (int i = 0; i < Math.min(length, PREFIX.length); i++) {
            if (received.get(start + i) != PREFIX[i]) {
                return Judgement.fail("malformed reply: not an HTTP/1.x status line");
            }
        }
        if (length < STATUS_END) {
            return Judgement.NEED_MORE;
        }
        int status = status(received, start);
        if (status < 0) {
            return Judgement.fail("malformed reply: bad HTTP status line");
        }
        if (status < lowStatus || status > highStatus) {
            return Judgement.fail("HTTP status " + status + ", expected " + expectedStatus());
        }
        if (body == null) {
            return Judgement.PASS;
        }
        int headEnd = indexOf(received, start, start + length, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (headEnd < 0) {
            return Judgement.NEED_MORE;
        }
        int bodyStart = headEnd + 4;
        int end = start + length;
        if (indexOf(received, bodyStart, end, body.getBytes(StandardCharsets.UTF_8)) >= 0) {
            return Judgement.PASS;
        }
        long declared = contentLength(received, start, headEnd);
        if (declared >= 0 && end - bodyStart >= declared) {
            return missingBody(status);
        }
        return Judgement.NEED_MORE;
    }

    /** The server closed: a reply whose status passed but whose body lacks the text fails for that. */
    @Override
    public Judgement judgeAtEnd(ByteBuffer received) {
        Judgement j = judge(received);
        int start = received.position();
        if (j.isNeedMore() && body != null
                && indexOf(received, start, received.limit(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) >= 0) {
            return missingBody(status(received, start));
        }
        return j;
    }

    private Judgement missingBody(int status) {
        return Judgement.fail("HTTP status " + status + " but the body lacks \"" + body + "\"");
    }

    /** The status code of "HTTP/1.x SSS" followed by a space or CR, or -1. */
    private static int status(ByteBuffer b, int start) {
        byte minor = b.get(start + 7);
        byte after = b.get(start + 12);
        if (minor < '0' || minor > '9' || b.get(start + 8) != ' ' || (after != ' ' && after != '\r')) {
            return -1;
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            byte d = b.get(start + i);
            if (d < '0' || d > '9') {
                return -1;
            }
            code = code * 10 + d - '0';
        }
        return code >= 100 && code <= 599 ? code : -1;
    }

    /** The Content-Length header's value within the head, or -1 when absent or not a number. */
    private static long contentLength(ByteBuffer b, int start, int headEnd) {
        byte[] head = new byte[headEnd - start];
        b.get(start, head);
        for (String line : new String(head, StandardCharsets.ISO_8859_1).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                try {
                    return Long.parseLong(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static int indexOf(ByteBuffer b, int from, int to, byte[] what) {
        outer:
        for (int i = from; i <= to - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b.get(i + j) != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String hostHeader(InetSocketAddress a) {
        String h = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        int zone = h.indexOf('%');
        h = zone >= 0 ? h.substring(0, zone) : h;
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
