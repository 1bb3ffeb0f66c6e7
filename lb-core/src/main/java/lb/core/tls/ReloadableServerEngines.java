package lb.core.tls;

import java.util.Objects;

import javax.net.ssl.SSLEngine;

/**
 * The {@link ServerEngines} a frontend uses now, replaceable while connections run. Thread-safe:
 * loops call {@link #newEngine} concurrently with a reload on another thread.
 *
 * <p>A reload builds the new context first, then swaps one volatile reference: a connection
 * accepted after the swap gets the new certificates and settings, one accepted before keeps the
 * engine (and context) it was given for its whole life. Reloading equal settings, such as
 * unchanged files read again, builds nothing.
 */
public final class ReloadableServerEngines {
    private volatile ServerEngines current;

    public ReloadableServerEngines(TlsSettings initial) {
        this.current = new ServerEngines(initial);
    }

    /** A server engine from the settings in force now. */
    public SSLEngine newEngine() {
        return current.newEngine();
    }

    public ServerEngines current() {
        return current;
    }

    /**
     * Puts {@code settings} in force for connections accepted from now on. Returns whether
     * anything changed; when the new context cannot be built, throws and keeps the old one.
     */
    public synchronized boolean reload(TlsSettings settings) {
        Objects.requireNonNull(settings, "settings");
        if (settings.equals(current.settings())) {
            return false;
        }
        current = new ServerEngines(settings);
        return true;
    }
}
