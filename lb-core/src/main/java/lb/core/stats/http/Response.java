package lb.core.stats.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One answer of the stats endpoint, before it is put on the wire by {@link #encode}. Every
 * answer is marked not to be cached or sniffed and ends the connection: the endpoint serves
 * one request per connection, so no client can hold a connection between requests. Immutable.
 */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String TEXT = "text/plain; charset=utf-8";
    /** RFC 9110 section 5.6.7's IMF-fixdate; RFC_1123_DATE_TIME would not pad the day. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    static Response of(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A short plain-text answer: an error, or a challenge. */
    static Response text(int status, String body) {
        return of(status, TEXT, body);
    }

    /** This answer with one more header. */
    Response with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, contentType, body, more);
    }

    /** Status line, headers and, unless answering HEAD, the body; ready to write. */
    ByteBuffer encode(boolean head) {
        StringBuilder h = new StringBuilder(256)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Date: ").append(DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                // a HEAD answer announces the length a GET would get (RFC 9110 section 9.3.2)
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Cache-Control: no-store\r\n")
                .append("X-Content-Type-Options: nosniff\r\n");
        headers.forEach((name, value) -> h.append(name).append(": ").append(value).append("\r\n"));
        h.append("Connection: close\r\n\r\n");
        byte[] start = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer wire = ByteBuffer.allocate(start.length + (head ? 0 : body.length));
        wire.put(start);
        if (!head) {
            wire.put(body);
        }
        return wire.flip();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            default -> "";
        };
    }
}
