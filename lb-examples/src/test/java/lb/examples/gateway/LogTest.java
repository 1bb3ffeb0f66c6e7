package lb.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {
    private static final OffsetDateTime TIME = OffsetDateTime.of(2026, 12, 1, 10, 15, 30, 123_000_000, ZoneOffset.ofHours(1));

    @AfterEach
    void backToText() {
        Log.use("text");
    }

    @Test
    void textLinesCarryAnIsoTimeWithDateAndZone() {
        Log.use("text");
        assertEquals("2026-12-01T10:15:30.123+01:00 INFO reload by SIGHUP: no change",
                Log.line(TIME, "INFO", "reload", "by SIGHUP: no change"));
        assertTrue(Log.line("x", "y").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO x y"));
    }

    @Test
    void jsonLinesAreOneObjectEach() {
        Log.use("json");
        assertEquals("{\"time\":\"2026-12-01T10:15:30.123+01:00\",\"level\":\"INFO\",\"event\":\"admin_change\","
                + "\"message\":\"by ops: \\\"a\\\"\\nnext\"}", Log.line(TIME, "INFO", "admin_change", "by ops: \"a\"\nnext"));
    }

    @Test
    void theLogFormatFlagIsChecked() throws Exception {
        assertEquals("json", GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884", "--log-format", "json"}).logFormat);
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> GatewayOptions.parse(new String[] {"--backends", "127.0.0.1:1884", "--log-format", "xml"}));
        assertTrue(e.getMessage().contains("--log-format: 'xml' is not one of text, json"));
    }
}
