package lb.core.websocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The head of an HTTP/1.1 message (RFC 9112 section 2): a start line and header lines, each
 * ending in CRLF, then an empty line. Parsed from a buffer by absolute index (the buffer is
 * left as it was), as ISO-8859-1, with each header line's place kept so a request can be
 * replayed with lines taken out. Immutable.
 */
final class HttpHead {
    /** A header line: its lower-case name, its trimmed value, and where the line lies in the head. */
    record Line(String name, String value, int start, int end) {
    }

    private final String startLine;
    private final List<Line> lines;
    private final int length;

    private HttpHead(String startLine, List<Line> lines, int length) {
        this.startLine = startLine;
        this.lines = lines;
        this.length = length;
    }

    /** Where the head ends (just past its empty line) from {@code bytes.position()}, or -1 if it has not come whole. */
    static int end(ByteBuffer bytes) {
        int from = bytes.position();
        for (int i = from + 3; i < bytes.limit(); i++) {
            if (bytes.get(i) == '\n' && bytes.get(i - 1) == '\r' && bytes.get(i - 2) == '\n' && bytes.get(i - 3) == '\r') {
                return i + 1 - from;
            }
        }
        return -1;
    }

    /**
     * The head at {@code bytes.position()}, {@code length} bytes long (as {@link #end} found);
     * null if a line is malformed (a bare LF, a header without a colon, a folded line).
     */
    static HttpHead parse(ByteBuffer bytes, int length) {
        int base = bytes.position();
        int at = 0;
        String start = null;
        List<Line> lines = new ArrayList<>();
        while (at < length - 2) {
            int eol = at;
            while (bytes.get(base + eol) != '\r' || bytes.get(base + eol + 1) != '\n') {
                if (bytes.get(base + eol) == '\n' || bytes.get(base + eol) == '\r' || bytes.get(base + eol) == 0) {
                    return null;
                }
                eol++;
            }
            String text = text(bytes, base + at, base + eol);
            if (start == null) {
                start = text;
            } else {
                int colon = text.indexOf(':');
                if (colon <= 0 || text.charAt(0) == ' ' || text.charAt(0) == '\t' || text.charAt(colon - 1) == ' ') {
                    return null;
                }
                lines.add(new Line(text.substring(0, colon).toLowerCase(Locale.ROOT), text.substring(colon + 1).trim(),
                        at, eol + 2));
            }
            at = eol + 2;
        }
        return start == null ? null : new HttpHead(start, List.copyOf(lines), length);
    }

    private static String text(ByteBuffer bytes, int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            chars[i - from] = (char) (bytes.get(i) & 0xFF);
        }
        return new String(chars);
    }

    String startLine() {
        return startLine;
    }

    List<Line> lines() {
        return lines;
    }

    /** Bytes from the start line to the end of the empty line. */
    int length() {
        return length;
    }

    /** The value of header {@code name} (lower case) on its first line, or null if absent. */
    String value(String name) {
        for (Line line : lines) {
            if (line.name().equals(name)) {
                return line.value();
            }
        }
        return null;
    }

    /** How many lines carry header {@code name} (lower case). */
    int count(String name) {
        int n = 0;
        for (Line line : lines) {
            if (line.name().equals(name)) {
                n++;
            }
        }
        return n;
    }

    /** True if header {@code name}'s comma-separated values hold {@code token}, in any case. */
    boolean hasToken(String name, String token) {
        for (Line line : lines) {
            if (line.name().equals(name)) {
                for (String t : line.value().split(",")) {
                    if (t.trim().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
