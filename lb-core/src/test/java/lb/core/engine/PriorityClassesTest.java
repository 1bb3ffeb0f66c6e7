package lb.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.core.config.Network;
import lb.core.config.PriorityRule;

class PriorityClassesTest {

    @Test
    void theFirstMatchingRuleDecidesAndEveryConditionMustHold() throws Exception {
        PriorityClasses classes = PriorityClasses.of(List.of(
                PriorityRule.priority(3).keyMatching("ctrl-.*").from(Network.parse("10.0.0.0/8")),
                PriorityRule.priority(2).userMatching("gateway|bridge"),
                PriorityRule.priority(1).from(Network.parse("192.0.2.0/24"))));
        InetAddress inside = InetAddress.getByName("10.1.2.3");
        InetAddress outside = InetAddress.getByName("198.51.100.1");
        InetAddress sensors = InetAddress.getByName("192.0.2.9");
        assertEquals(3, classes.classify("ctrl-7", null, inside, null));
        assertEquals(0, classes.classify("ctrl-7", null, outside, null), "the key alone is not enough");
        assertEquals(0, classes.classify("sensor-ctrl-7", null, inside, null), "the whole key must match");
        assertEquals(2, classes.classify("any", "gateway", outside, null));
        assertEquals(0, classes.classify("any", "gateways", outside, null));
        assertEquals(2, classes.classify("ctrl-1", "bridge", sensors, null), "rule 1 does not match, rule 2 does");
        assertEquals(1, classes.classify(null, null, sensors, null), "no key, no user: only an address rule can match");
        assertEquals(0, classes.classify(null, null, outside, null));
    }

    @Test
    void aRuleCanAskForTheClientCertificatesSubject() throws Exception {
        PriorityClasses classes = PriorityClasses.of(List.of(
                PriorityRule.priority(4).certificateMatching("CN=gw-[0-9]+,O=Acme")));
        InetAddress any = InetAddress.getByName("10.1.2.3");
        assertEquals(4, classes.classify("gw-7", null, any, "CN=gw-7,O=Acme"));
        assertEquals(0, classes.classify("gw-7", null, any, "CN=sensor-7,O=Acme"));
        assertEquals(0, classes.classify("gw-7", null, any, null), "no certificate does not match a pattern");
        assertThrows(IllegalArgumentException.class, () -> PriorityRule.priority(1).certificateMatching("CN=("));
    }

    @Test
    void rulesAreValuesAndCheckedWhenMade() {
        assertEquals(PriorityRule.priority(2).keyMatching("a.*").from(Network.parse("10.0.0.1/8")),
                PriorityRule.priority(2).keyMatching("a.*").from(Network.parse("10.0.0.0/8")));
        assertThrows(IllegalArgumentException.class, () -> PriorityRule.priority(0));
        assertThrows(IllegalArgumentException.class, () -> PriorityRule.priority(8));
        assertThrows(IllegalArgumentException.class, () -> PriorityRule.priority(1).keyMatching("(unclosed"));
    }
}
