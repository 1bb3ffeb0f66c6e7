package lb.core.model;

/**
 * Receives one {@link TunnelEvent} per finished tunnel. Called on the tunnel's event loop, so
 * it must be quick and must not block: hand the event to another thread for anything slow.
 */
@FunctionalInterface
public interface TunnelListener {
    void onTunnelClosed(TunnelEvent event);
}
