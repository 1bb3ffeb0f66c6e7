package lb.core.stats.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HumanUnitsTest {
    @Test
    void bytesKeepThreeSignificantDigits() {
        assertEquals("0 B", HumanUnits.bytes(0));
        assertEquals("1023 B", HumanUnits.bytes(1023));
        assertEquals("1.00 KiB", HumanUnits.bytes(1024));
        assertEquals("1.50 KiB", HumanUnits.bytes(1536));
        assertEquals("45.6 MiB", HumanUnits.bytes(45.6 * 1024 * 1024));
        assertEquals("812 GiB", HumanUnits.bytes(812.0 * 1024 * 1024 * 1024));
        assertEquals("2.00 KiB/s", HumanUnits.bytesPerSecond(2048));
    }

    @Test
    void countsRatesAndShares() {
        assertEquals("1,234,567", HumanUnits.count(1_234_567));
        assertEquals("0/s", HumanUnits.perSecond(0));
        assertEquals("2.5/s", HumanUnits.perSecond(2.5));
        assertEquals("1,250/s", HumanUnits.perSecond(1250.4));
        assertEquals("<1%", HumanUnits.percent(0.004));
        assertEquals("0%", HumanUnits.percent(0));
        assertEquals("73%", HumanUnits.percent(0.734));
    }

    @Test
    void agesUseTheLargestWholeUnit() {
        assertEquals("just now", HumanUnits.ago(1_000, 1_500));
        assertEquals("12 s ago", HumanUnits.ago(0, 12_000));
        assertEquals("5 min ago", HumanUnits.ago(0, 300_000));
        assertEquals("3 h ago", HumanUnits.ago(0, 3 * 3_600_000));
        assertEquals("4 d ago", HumanUnits.ago(0, 4 * 86_400_000L));
    }
}
