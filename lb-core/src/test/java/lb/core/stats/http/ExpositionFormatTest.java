package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import lb.core.testing.ExpositionFormat;

/** The format checker itself: it reads what the format allows and refuses what it does not. */
class ExpositionFormatTest {
    private static final String VALID = """
            # HELP lb_x_total Things, with a \\\\ and a\\nnewline.
            # TYPE lb_x_total counter
            lb_x_total{backend="a\\"b\\\\c\\nd",server="s"} 3
            lb_x_total{backend="e",server="s"} 0 1700000000000
            # a comment
            # HELP lb_y A gauge.
            # TYPE lb_y gauge
            lb_y 1.5e-3
            lb_y{loop="1"} NaN
            lb_y{loop="2"} -Inf
            """;

    @Test
    void readsAValidExpositionWithEscapes() {
        Map<String, ExpositionFormat.Family> families = ExpositionFormat.parse(VALID);
        assertEquals("Things, with a \\ and a\nnewline.", families.get("lb_x_total").help);
        assertEquals(3, ExpositionFormat.value(families, "lb_x_total", "backend", "a\"b\\c\nd", "server", "s"));
        assertEquals(0.0015, ExpositionFormat.value(families, "lb_y"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "lb_z 1\n",                                                        // no family declared
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z 1",                         // no final newline
        "# TYPE lb_z gauge\nlb_z 1\n",                                     // no HELP
        "# HELP lb_z Z.\n# TYPE lb_z counter\nlb_z 1\n",                     // counter without _total
        "# HELP lb_z Z.\n# TYPE lb_z gauge\n# TYPE lb_z gauge\nlb_z 1\n",    // TYPE twice
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z{a=\"x\\q\"} 1\n",           // bad escape
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z{a=\"x\"y\"} 1\n",           // unescaped quote
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z{a=x} 1\n",                  // unquoted value
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z{__a=\"x\"} 1\n",            // reserved label name
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z{a=\"x\",a=\"y\"} 1\n",      // label twice
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z 1\nlb_z 2\n",               // series twice
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z 1,5\n",                     // bad number
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z  1\n",                      // two spaces
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb-z 1\n",                       // bad metric name
        "# HELP lb_z Z.\n# TYPE lb_z gauge\nlb_z 1\n"
                + "# HELP lb_w W.\n# TYPE lb_w gauge\nlb_w 1\nlb_z{a=\"b\"} 1\n", // family split in two
        "# HELP lb_z_total Z.\n# TYPE lb_z_total counter\nlb_z_total -1\n",   // negative counter
        "# HELP lb_z Z \\\" quoted.\n# TYPE lb_z gauge\nlb_z 1\n",            // \" is no HELP escape
    })
    void refusesWhatTheFormatDoesNotAllow(String exposition) {
        assertThrows(AssertionError.class, () -> ExpositionFormat.parse(exposition));
    }
}
