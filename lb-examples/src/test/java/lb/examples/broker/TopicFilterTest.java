package lb.examples.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFilterTest {
    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
        "a/b/c, a/b/c, true",
        "a/b/c, a/b, false",
        "a/+/c, a/b/c, true",
        "a/+/c, a//c, true",
        "a/+/c, a/b/c/d, false",
        "a/+, a, false",
        "a/+, a/, true",
        "+, a, true",
        "+, a/b, false",
        "+/+, /a, true",
        "#, a/b/c, true",
        "a/#, a, true",
        "a/#, a/b/c, true",
        "a/#, ab, false",
        "a/b/#, a, false",
        "#, $SYS/uptime, false",
        "+/uptime, $SYS/uptime, false",
        "$SYS/#, $SYS/uptime, true",
        "a/, a/, true",
        "a/, a, false",
        "abc, abd, false",
    })
    void matchesFollowTheSpecificationExamples(String filter, String topic, boolean expected) {
        assertEquals(expected, TopicFilter.matches(filter, topic));
    }

    @ParameterizedTest
    @CsvSource({"a/+/c", "#", "+", "a/#", "/", "+/+", "sport/tennis/#"})
    void validFiltersAreAccepted(String filter) {
        assertTrue(TopicFilter.isValidFilter(filter));
    }

    @ParameterizedTest
    @CsvSource({"a/#/c", "a#", "a+/b", "a/b+", "#/a", "++"})
    void invalidFiltersAreRejected(String filter) {
        assertFalse(TopicFilter.isValidFilter(filter));
    }

    @Property(tries = 300)
    void aFilterWithoutWildcardsMatchesExactlyItsOwnTopic(
            @ForAll @AlphaChars @StringLength(min = 1, max = 6) String a,
            @ForAll @AlphaChars @StringLength(min = 1, max = 6) String b) {
        assertTrue(TopicFilter.matches(a + "/" + b, a + "/" + b));
        assertEquals(a.equals(b), TopicFilter.matches(a, b));
        assertTrue(TopicFilter.matches("#", a + "/" + b));
        assertTrue(TopicFilter.matches(a + "/+", a + "/" + b));
        assertTrue(TopicFilter.matches("+/" + b, a + "/" + b));
        assertFalse(TopicFilter.matches(a + "/+", a));
    }
}
