package lb.core.stick;

/**
 * A {@link KeyEntry} that also measures its connection rate over a sliding period, the way
 * HAProxy's frequency counters do: one count for the current period, one for the previous,
 * and the rate is the current count plus the previous count weighted by the share of the
 * previous period still inside the sliding window. Two ints instead of a list of timestamps,
 * accurate when arrivals are roughly even within a period. Only touched under its segment's
 * lock. 64 bytes with compressed references (the counts fill the base entry's padding).
 *
 * <p>Periods are numbered {@code floorDiv(nowNs, periodNs)}, kept as an int: only differences
 * of 0 or 1 matter, and int arithmetic wraps consistently.
 */
final class CountedKeyEntry extends KeyEntry {
    private int period;
    private int inPeriod;
    private int inPreviousPeriod;

    CountedKeyEntry(String key, int hash, long nowNs, long periodNs) {
        super(key, hash, nowNs);
        this.period = periodOf(nowNs, periodNs);
    }

    @Override
    void countEvent(long nowNs, long periodNs) {
        int now = periodOf(nowNs, periodNs);
        int gap = now - period;
        if (gap == 1) {
            inPreviousPeriod = inPeriod;
            inPeriod = 0;
        } else if (gap != 0) {
            inPreviousPeriod = 0;
            inPeriod = 0;
        }
        period = now;
        if (inPeriod < Integer.MAX_VALUE) {
            inPeriod++;
        }
    }

    @Override
    int rate(long nowNs, long periodNs) {
        int gap = periodOf(nowNs, periodNs) - period;
        int current;
        int previous;
        if (gap == 0) {
            current = inPeriod;
            previous = inPreviousPeriod;
        } else if (gap == 1) {
            current = 0;
            previous = inPeriod;
        } else {
            return 0;
        }
        double stillInWindow = (double) (periodNs - Math.floorMod(nowNs, periodNs)) / periodNs;
        return (int) Math.min(Integer.MAX_VALUE, current + (long) (previous * stillInWindow));
    }

    private static int periodOf(long nowNs, long periodNs) {
        return (int) Math.floorDiv(nowNs, periodNs);
    }
}
