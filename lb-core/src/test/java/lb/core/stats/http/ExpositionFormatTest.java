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
            # HELP lb_t_seconds Times.
            # TYPE lb_t_seconds histogram
            lb_t_seconds_bucket{backend="a",le="0.001"} 1
            lb_t_seconds_bucket{backend="a",le="1"} 3
            lb_t_seconds_bucket{backend="a",le="+Inf"} 4
            lb_t_seconds_sum{backend="a"} 12.5
            lb_t_seconds_count{backend="a"} 4
            """;
    private static final String HISTOGRAM = "# HELP lb_h_seconds H.\n# TYPE lb_h_seconds histogram\n";

    @Test
    void readsAValidExpositionWithEscapes() {
        Map<String, ExpositionFormat.Family> families = ExpositionFormat.parse(VALID);
        assertEquals("Things, with a \\ and a\nnewline.", families.get("lb_x_total").help);
        assertEquals(3, ExpositionFormat.value(families, "lb_x_total", "backend", "a\"b\\c\nd", "server", "s"));
        assertEquals(0.0015, ExpositionFormat.value(families, "lb_y"));
        assertEquals(3, ExpositionFormat.value(families, "lb_t_seconds_bucket", "backend", "a", "le", "1"));
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
        HISTOGRAM + "lb_h_seconds 1\n",                                    // histogram sample without a suffix
        HISTOGRAM + "lb_h_seconds_bucket 1\nlb_h_seconds_sum 1\nlb_h_seconds_count 1\n", // bucket without le
        HISTOGRAM + "lb_h_seconds_bucket{le=\"1\"} 2\nlb_h_seconds_bucket{le=\"+Inf\"} 1\n"
                + "lb_h_seconds_sum 1\nlb_h_seconds_count 1\n",                // buckets shrink
        HISTOGRAM + "lb_h_seconds_bucket{le=\"1\"} 1\nlb_h_seconds_sum 1\nlb_h_seconds_count 1\n", // no +Inf
        HISTOGRAM + "lb_h_seconds_bucket{le=\"+Inf\"} 2\nlb_h_seconds_sum 1\nlb_h_seconds_count 1\n", // count != +Inf
        HISTOGRAM + "lb_h_seconds_bucket{le=\"+Inf\"} 1\nlb_h_seconds_count 1\n",   // no sum
    })
    void refusesWhatTheFormatDoesNotAllow(String exposition) {
        assertThrows(AssertionError.class, () -> ExpositionFormat.parse(exposition));
    }
}
