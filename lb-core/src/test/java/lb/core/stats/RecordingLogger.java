package lb.core.stats;

import java.util.ResourceBundle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@code System.Logger} that keeps its messages for a test and can be made to stall. */
final class RecordingLogger implements System.Logger {
    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final boolean enabled;
    /** Counted down when a message arrives; the logger then waits for {@link #release}. */
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release;

    RecordingLogger(boolean enabled, boolean stalls) {
        this.enabled = enabled;
        this.release = new CountDownLatch(stalls ? 1 : 0);
    }

    /** The next message, waiting up to 10 s; fails if none comes. */
    String next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("nothing logged within 10 s");
        }
        return m;
    }

    int size() {
        return messages.size();
    }

    @Override
    public String getName() {
        return "recording";
    }

    @Override
    public boolean isLoggable(Level level) {
        return enabled;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        record(msg);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        record(format);
    }

    private void record(String msg) {
        messages.add(msg);
        entered.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
