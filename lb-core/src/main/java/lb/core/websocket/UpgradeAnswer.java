package lb.core.websocket;

import java.nio.ByteBuffer;

import lb.core.model.ServerHandshake;

/**
 * Checks a server's answer to the client's upgrade request replayed to it: {@code 101}, the
 * {@code Sec-WebSocket-Accept} the client's key calls for, the subprotocol the balancer chose,
 * and no extension (the client was told none). One per tunnel, used on its loop.
 */
final class UpgradeAnswer implements ServerHandshake {
    /** Close code 1014: the server, as a gateway, got a bad answer from upstream (RFC 6455 section 11.7). */
    static final int BAD_GATEWAY = 1014;

    private final String expectedAccept;
    private final String subprotocol;
    private final int requestLength;
    private String failure;

    /** {@code requestLength}: the replayed upgrade request's length (the frames follow it). */
    UpgradeAnswer(String key, String subprotocol, int requestLength) {
        this.expectedAccept = Handshake.accept(key);
        this.subprotocol = subprotocol;
        this.requestLength = requestLength;
    }

    @Override
    public int requestLength() {
        return requestLength;
    }

    @Override
    public int check(ByteBuffer serverBytes) {
        int length = HttpHead.end(serverBytes);
        if (length < 0) {
            return serverBytes.remaining() >= 5 && !startsWithHttp(serverBytes) ? fail("answered with no HTTP") : NEED_MORE;
        }
        HttpHead head = HttpHead.parse(serverBytes, length);
        if (head == null) {
            return fail("malformed HTTP answer");
        }
        String[] status = head.startLine().split(" ", 3);
        if (status.length < 2 || !status[0].equals("HTTP/1.1") || !status[1].equals("101")) {
            return fail("refused the upgrade: " + head.startLine());
        }
        if (!head.hasToken("upgrade", "websocket") || !head.hasToken("connection", "upgrade")) {
            return fail("101 without Upgrade: websocket and Connection: Upgrade");
        }
        if (!expectedAccept.equals(head.value("sec-websocket-accept"))) {
            return fail("wrong Sec-WebSocket-Accept: " + head.value("sec-websocket-accept"));
        }
        if (head.count("sec-websocket-extensions") > 0) {
            return fail("negotiated an extension the client was not told of: " + head.value("sec-websocket-extensions"));
        }
        String chosen = head.value("sec-websocket-protocol");
        if (!subprotocol.equals(chosen)) {
            return fail("chose subprotocol " + chosen + ", the client was told " + subprotocol);
        }
        return length;
    }

    private static boolean startsWithHttp(ByteBuffer bytes) {
        byte[] http = {'H', 'T', 'T', 'P', '/'};
        for (int i = 0; i < http.length; i++) {
            if (bytes.get(bytes.position() + i) != http[i]) {
                return false;
            }
        }
        return true;
    }

    private int fail(String why) {
        failure = "WebSocket server " + why;
        return -1;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public ByteBuffer failureReply() {
        return Handshake.close(BAD_GATEWAY, "the broker refused the WebSocket upgrade");
    }
}
