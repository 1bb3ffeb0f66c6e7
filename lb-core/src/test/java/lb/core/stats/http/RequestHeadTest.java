package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stats endpoint's request head parser: where a head ends, and what it makes of one. */
class RequestHeadTest {

    @Test
    void theEndIsFoundOnlyWithTheLastByteWhenFedOneByteAtATime() {
        byte[] head = bytes("GET /metrics HTTP/1.1\r\nHost: stats\r\nAuthorization: Basic b3BzOng=\r\n\r\nleftover");
        int complete = head.length - "leftover".length();
        for (int length = 1; length < complete; length++) {
            assertEquals(-1, RequestHead.end(head, Math.max(0, length - 1), length), "after " + length + " bytes");
        }
        assertEquals(complete, RequestHead.end(head, complete - 1, complete));
        assertEquals(complete, RequestHead.end(head, 0, head.length));
    }

    @Test
    void methodPathWithoutQueryAndAuthorizationAreRead() {
        RequestHead h = parse("HEAD /metrics?name[]=x#top HTTP/1.1\r\nhost: stats\r\nauthorization:  Basic abc= \r\n\r\n");
        assertEquals(new RequestHead("HEAD", "/metrics", "Basic abc="), h);
    }

    @Test
    void absoluteFormBareLineFeedsAndHttp10AreAccepted() {
        assertEquals(new RequestHead("GET", "/stats.json", null), parse("GET http://lb:8404/stats.json HTTP/1.0\n\n"));
        assertEquals(new RequestHead("GET", "/", null), parse("GET HTTP://lb HTTP/1.1\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "GET /metrics HTTP/2.0\r\n\r\n",
        "GET metrics HTTP/1.1\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : stats\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: 1\r2\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon\r\n\r\n",
        "GET / HTTP/1.1\r\nAuthorization: Basic a\r\nAuthorization: Basic b\r\n\r\n",
    })
    void malformedHeadsAreRefused(String head) {
        byte[] b = bytes(head);
        int end = RequestHead.end(b, 0, b.length);
        assertTrue(end > 0, "complete");
        assertEquals(Optional.empty(), RequestHead.parse(b, end));
    }

    private static RequestHead parse(String head) {
        byte[] b = bytes(head);
        return RequestHead.parse(b, RequestHead.end(b, 0, b.length)).orElseThrow();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
