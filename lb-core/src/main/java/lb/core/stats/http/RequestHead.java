package lb.core.stats.http;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The parts of an HTTP/1.x request head the stats endpoint acts on: method, path (without
 * query) and the {@code Authorization} header, or null without one. Immutable.
 *
 * <p>The head as RFC 9112 sections 2-5 lay it out; a body, if any, is never read:
 *
 * <pre>
 * request-line   method SP request-target SP HTTP-version CRLF
 * field-line     field-name ":" OWS field-value OWS CRLF      (zero or more)
 * empty line     CRLF
 * </pre>
 *
 * Parsing is strict where leniency has let requests be read two ways (whitespace before the
 * colon, folded lines, a lone CR, a repeated {@code Authorization}): those are malformed.
 * A bare LF ends a line as CRLF does (section 2.2 allows it). {@code Host} is not required:
 * the endpoint serves one site and never looks at it.
 */
record RequestHead(String method, String path, String authorization) {
    private static final String AUTHORIZATION = "Authorization";

    /**
     * Where the head ends within {@code buf[0, length)}: the index just after its empty line,
     * or -1 if it has not all arrived. Scans from {@code from} (a previous call's {@code length},
     * say) so bytes arriving a few at a time are not rescanned.
     */
    static int end(byte[] buf, int from, int length) {
        for (int i = Math.max(from, 1); i < length; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a complete head, {@code buf[0, end)} as {@link #end} found it; empty if malformed. */
    static Optional<RequestHead> parse(byte[] buf, int end) {
        String[] lines = new String(buf, 0, end, StandardCharsets.ISO_8859_1).split("\r?\n", -1);
        // the last two elements are the empty line and what follows its line end: both empty
        Optional<String[]> requestLine = requestLine(lines[0]);
        if (requestLine.isEmpty()) {
            return Optional.empty();
        }
        String authorization = null;
        for (int i = 1; i < lines.length - 2; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line, 0, colon) || hasControl(line, colon + 1)) {
                return Optional.empty(); // also rejects folded lines, which start with SP or HTAB
            }
            if (colon == AUTHORIZATION.length() && line.regionMatches(true, 0, AUTHORIZATION, 0, colon)) {
                if (authorization != null) {
                    return Optional.empty();
                }
                authorization = line.substring(colon + 1).strip();
            }
        }
        String[] parts = requestLine.get();
        return Optional.of(new RequestHead(parts[0], path(parts[1]), authorization));
    }

    /** Method, target and version, checked; empty if the line is not a request line. */
    private static Optional<String[]> requestLine(String line) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !isToken(parts[0], 0, parts[0].length())
                || !parts[2].matches("HTTP/1\\.[0-9]") || !isTarget(parts[1])) {
            return Optional.empty();
        }
        return Optional.of(parts);
    }

    /** Origin form ({@code /metrics?x}), absolute form ({@code http://host/metrics}) or {@code *}. */
    private static boolean isTarget(String target) {
        if (target.isEmpty() || hasControl(target, 0)) {
            return false;
        }
        return target.charAt(0) == '/' || target.equals("*") || schemeLength(target) > 0;
    }

    /** The path of a valid target, without query or fragment; {@code *} stays {@code *}. */
    private static String path(String target) {
        int scheme = schemeLength(target);
        if (scheme > 0) {
            int slash = target.indexOf('/', scheme);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int cut = target.length();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '?' || c == '#') {
                cut = i;
                break;
            }
        }
        return target.substring(0, cut);
    }

    private static int schemeLength(String target) {
        for (String scheme : new String[] {"http://", "https://"}) {
            if (target.regionMatches(true, 0, scheme, 0, scheme.length())) {
                return scheme.length();
            }
        }
        return 0;
    }

    /** RFC 9110 section 5.6.2: a token is one or more of these characters. */
    private static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return from < to;
    }

    /** Controls other than HTAB (a lone CR among them) have no place in a field value or target. */
    private static boolean hasControl(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
