package lb.examples.gateway;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The gateway's log lines: an ISO-8601 time with date and zone offset, the level, a stable
 * event name and the message, as text or as one JSON object per line ({@code --log-format}).
 * The gateway's own lines and the library's (java.util.logging, the connection log included)
 * look alike. Any thread; the format is set once at start.
 */
final class Log {
    /** {@code 2026-12-01T10:15:30.123+01:00}: millisecond precision, the zone as an offset. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private static volatile boolean json;

    private Log() {
    }

    /** Uses {@code format} ("text" or "json") for the gateway's lines and the library's log records. */
    static void use(String format) {
        json = format.equals("json");
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            h.setFormatter(FORMATTER);
        }
    }

    /** One line at level INFO, without the line break. */
    static String line(String event, String message) {
        return line(OffsetDateTime.now(), "INFO", event, message);
    }

    static String line(OffsetDateTime time, String level, String event, String message) {
        String t = TIME.format(time);
        if (json) {
            return "{\"time\":" + Json.string(t) + ",\"level\":" + Json.string(level) + ",\"event\":" + Json.string(event)
                    + ",\"message\":" + Json.string(message) + "}";
        }
        return t + " " + level + " " + event + " " + message;
    }

    private static final Formatter FORMATTER = new Formatter() {
        @Override
        public String format(LogRecord r) {
            String message = formatMessage(r);
            if (r.getThrown() != null) {
                java.io.StringWriter w = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                message = message + " " + w.toString().strip();
            }
            String event = r.getLoggerName() == null ? "log" : r.getLoggerName();
            OffsetDateTime time = OffsetDateTime.ofInstant(r.getInstant(), java.time.ZoneId.systemDefault());
            return line(time, r.getLevel().getName(), event, message) + System.lineSeparator();
        }
    };
}
