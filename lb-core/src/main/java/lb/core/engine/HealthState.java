package lb.core.engine;

/**
 * Rise/fall hysteresis in one counter in {@code [0, rise + fall - 1]}: the server is up while
 * the counter is at least {@code rise}. A pass moves it up (straight to the top once up); a
 * fail moves it down (straight to 0 once below {@code rise}). So an up server goes down after
 * {@code fall} failures in a row and a down one comes up after {@code rise} passes in a row.
 * Not thread-safe: owned by the probe's loop. Starts up.
 */
public final class HealthState {
    private final int rise;
    private final int top;
    private int counter;

    public HealthState(int rise, int fall) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be >= 1, were " + rise + " and " + fall);
        }
        this.rise = rise;
        this.top = rise + fall - 1;
        this.counter = top;
    }

    public boolean isUp() {
        return counter >= rise;
    }

    /** True between the extremes: the state may be about to change, so check more often. */
    public boolean isChanging() {
        return counter != 0 && counter != top;
    }

    /** Records a check; returns true if it changed up/down. */
    public boolean record(boolean passed) {
        boolean wasUp = isUp();
        if (passed) {
            counter = Math.min(top, counter + 1);
            if (counter >= rise) {
                counter = top;
            }
        } else {
            counter = Math.max(0, counter - 1);
            if (counter < rise) {
                counter = 0;
            }
        }
        return wasUp != isUp();
    }

    /** Forces the state (a forced health, or passive observation of failures). */
    public void force(boolean up) {
        counter = up ? top : 0;
    }
}
