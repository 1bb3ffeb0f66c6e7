package lb.core.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A client's opening handshake (RFC 6455 section 4.2.1), checked: what the balancer needs to
 * answer it itself and to replay it to a server. Stateless parse; the result is immutable.
 *
 * <pre>
 * GET /mqtt HTTP/1.1                              method GET, HTTP/1.1, the path if one is set
 * Host: broker.example.com                        required
 * Upgrade: websocket                              a token, any case
 * Connection: Upgrade                             a token among others, any case
 * Sec-WebSocket-Version: 13                       else 426 naming 13
 * Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==     base64 of 16 bytes
 * Sec-WebSocket-Protocol: mqtt                    one of the frontend's subprotocols is chosen
 * Sec-WebSocket-Extensions: ...                   ignored: none is negotiated, and the line is
 *                                                 not replayed, so the server negotiates none either
 * </pre>
 */
final class UpgradeRequest {
    enum Status { NEED_MORE, INVALID, UPGRADE }

    /**
     * The longest request head read (browsers send well under 2 KiB): the head is searched anew
     * on every read, so this bounds what a client dripping bytes costs.
     */
    static final int MAX_HEAD_BYTES = 8192;

    static final UpgradeRequest NEED_MORE = new UpgradeRequest(Status.NEED_MORE, null, 0, null, null, 0, null, null);

    private final Status status;
    private final HttpHead head;
    private final int length;
    private final String key;
    private final String subprotocol;
    private final int httpStatus;
    private final String problem;
    private final String extraHeader;

    private UpgradeRequest(Status status, HttpHead head, int length, String key, String subprotocol,
            int httpStatus, String problem, String extraHeader) {
        this.status = status;
        this.head = head;
        this.length = length;
        this.key = key;
        this.subprotocol = subprotocol;
        this.httpStatus = httpStatus;
        this.problem = problem;
        this.extraHeader = extraHeader;
    }

    private static UpgradeRequest invalid(int httpStatus, String problem) {
        return invalid(httpStatus, problem, null);
    }

    private static UpgradeRequest invalid(int httpStatus, String problem, String extraHeader) {
        return new UpgradeRequest(Status.INVALID, null, 0, null, null, httpStatus, problem, extraHeader);
    }

    /** Checks the request at {@code bytes.position()}; the buffer is left as it was. */
    static UpgradeRequest parse(ByteBuffer bytes, WebSocketSettings settings) {
        if (!mayBeGet(bytes)) {
            return invalid(400, "not an HTTP GET request");
        }
        int length = HttpHead.end(bytes.duplicate().limit(Math.min(bytes.limit(), bytes.position() + MAX_HEAD_BYTES)));
        if (length < 0) {
            return bytes.remaining() < MAX_HEAD_BYTES ? NEED_MORE
                    : invalid(431, "request head longer than " + MAX_HEAD_BYTES + " bytes");
        }
        HttpHead head = HttpHead.parse(bytes, length);
        if (head == null) {
            return invalid(400, "malformed HTTP request head");
        }
        String[] start = head.startLine().split(" ", -1);
        if (start.length != 3 || !start[0].equals("GET") || start[1].isEmpty()) {
            return invalid(400, "malformed request line");
        }
        if (!start[2].equals("HTTP/1.1")) {
            return invalid(400, "not HTTP/1.1: " + start[2]);
        }
        if (head.count("host") != 1) {
            return invalid(400, "needs one Host header");
        }
        if (!head.hasToken("upgrade", "websocket")) {
            return invalid(400, "not a WebSocket upgrade (no Upgrade: websocket)");
        }
        if (!head.hasToken("connection", "upgrade")) {
            return invalid(400, "not a WebSocket upgrade (no Connection: Upgrade)");
        }
        if (head.count("sec-websocket-version") != 1 || !"13".equals(head.value("sec-websocket-version"))) {
            return invalid(426, "WebSocket version 13 only", "Sec-WebSocket-Version: 13");
        }
        String key = head.value("sec-websocket-key");
        if (head.count("sec-websocket-key") != 1 || !isNonce(key)) {
            return invalid(400, "needs one Sec-WebSocket-Key of 16 bytes in base64");
        }
        String path = start[1];
        int query = path.indexOf('?');
        if (settings.path() != null && !settings.path().equals(query < 0 ? path : path.substring(0, query))) {
            return invalid(404, "no WebSocket endpoint at " + (query < 0 ? path : path.substring(0, query)));
        }
        String chosen = choose(head, settings);
        if (chosen == null) {
            return invalid(400, "no supported subprotocol offered (" + String.join(", ", settings.subprotocols()) + ")");
        }
        return new UpgradeRequest(Status.UPGRADE, head, length, key, chosen, 101, null, null);
    }

    /** The first bytes say GET (or could still): anything else is refused before a whole head. */
    private static boolean mayBeGet(ByteBuffer bytes) {
        byte[] get = {'G', 'E', 'T', ' '};
        for (int i = 0; i < get.length && bytes.position() + i < bytes.limit(); i++) {
            if (bytes.get(bytes.position() + i) != get[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNonce(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The client's most preferred subprotocol among the frontend's. */
    private static String choose(HttpHead head, WebSocketSettings settings) {
        for (HttpHead.Line line : head.lines()) {
            if (line.name().equals("sec-websocket-protocol")) {
                for (String offered : line.value().split(",")) {
                    if (settings.subprotocols().contains(offered.trim())) {
                        return offered.trim();
                    }
                }
            }
        }
        return null;
    }

    Status status() {
        return status;
    }

    /** Bytes of the request head, up to and with its empty line (the frames follow). */
    int length() {
        return length;
    }

    String key() {
        return key;
    }

    String subprotocol() {
        return subprotocol;
    }

    /** For an invalid request: the HTTP status to answer. */
    int httpStatus() {
        return httpStatus;
    }

    /** For an invalid request: what was wrong. */
    String problem() {
        return problem;
    }

    /** For an invalid request: a header line the answer carries, or null. */
    String extraHeader() {
        return extraHeader;
    }

    /**
     * The request as a server gets it, read from {@code bytes} (the buffer parsed, at the same
     * position): every line as the client sent it, but no {@code Sec-WebSocket-Extensions} line
     * and only the chosen subprotocol, so the server negotiates what the client was told. Never
     * longer than the request.
     */
    void replayTo(ByteBuffer bytes, ByteBuffer out) {
        int base = bytes.position();
        int firstLine = head.lines().isEmpty() ? length - 2 : head.lines().get(0).start();
        copy(bytes, base, base + firstLine, out);
        boolean protocolWritten = false;
        for (HttpHead.Line line : head.lines()) {
            if (line.name().equals("sec-websocket-extensions")) {
                continue;
            }
            if (line.name().equals("sec-websocket-protocol")) {
                if (!protocolWritten) {
                    // the client's name, colon and first space, then the chosen value alone: never longer
                    int nameEnd = base + line.start() + line.name().length() + 1;
                    copy(bytes, base + line.start(), bytes.get(nameEnd) == ' ' ? nameEnd + 1 : nameEnd, out);
                    out.put((subprotocol + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    protocolWritten = true;
                }
                continue;
            }
            copy(bytes, base + line.start(), base + line.end(), out);
        }
        out.put((byte) '\r').put((byte) '\n');
    }

    private static void copy(ByteBuffer from, int start, int end, ByteBuffer out) {
        for (int i = start; i < end; i++) {
            out.put(from.get(i));
        }
    }
}
