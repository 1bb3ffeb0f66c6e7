package lb.core.stats.http;

/**
 * Just enough JSON output for the stats: objects, arrays, strings, numbers, booleans, null.
 * Commas are placed by the writer; strings are escaped so any name is safe, including inside
 * an HTML page. Not thread-safe: one per rendering.
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(4096);
    private boolean needsComma;
    private boolean afterName;

    JsonWriter beginObject() {
        separate();
        out.append('{');
        needsComma = false;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        needsComma = true;
        return this;
    }

    JsonWriter beginArray() {
        separate();
        out.append('[');
        needsComma = false;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        needsComma = true;
        return this;
    }

    JsonWriter name(String name) {
        separate();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String s) {
        separate();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        needsComma = true;
        return this;
    }

    JsonWriter value(long n) {
        separate();
        out.append(n);
        needsComma = true;
        return this;
    }

    /** JSON has no NaN or infinity: those become null. */
    JsonWriter value(double d) {
        separate();
        out.append(Double.isFinite(d) ? ExpositionWriter.number(d) : "null");
        needsComma = true;
        return this;
    }

    JsonWriter value(boolean b) {
        separate();
        out.append(b);
        needsComma = true;
        return this;
    }

    JsonWriter nullValue() {
        separate();
        out.append("null");
        needsComma = true;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (afterName) {
            afterName = false;
        } else if (needsComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1));
                    if (pairedSurrogate) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'
                            || Character.isSurrogate(c)) {
                        // < > & escaped so the text is inert if a page ever embeds it
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
