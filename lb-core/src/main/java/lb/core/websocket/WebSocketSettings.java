package lb.core.websocket;

import java.util.List;
import java.util.Objects;

/**
 * What a WebSocket frontend accepts (RFC 6455): the request path ({@code null} for any), the
 * subprotocols it may choose (in the client's order of preference; for MQTT {@code mqtt}, and
 * {@code mqttv3.1} for 3.1 clients), and the largest first message it reads before routing
 * (bigger ones are refused with close code 1009). A value: compared by {@code equals}.
 */
public record WebSocketSettings(String path, List<String> subprotocols, int maxFirstMessageBytes) {
    public WebSocketSettings {
        subprotocols = List.copyOf(subprotocols);
        if (subprotocols.isEmpty()) {
            throw new IllegalArgumentException("a WebSocket frontend needs at least one subprotocol");
        }
        if (path != null && !path.startsWith("/")) {
            throw new IllegalArgumentException("a WebSocket path starts with '/', was " + path);
        }
        if (maxFirstMessageBytes < 2) {
            throw new IllegalArgumentException("maxFirstMessageBytes must be at least 2, was " + maxFirstMessageBytes);
        }
    }

    /** Any path, the given subprotocols, first messages up to 64 KiB. */
    public static WebSocketSettings of(String... subprotocols) {
        return new WebSocketSettings(null, List.of(subprotocols), 64 * 1024);
    }

    /** These settings, accepting only requests for {@code requestPath} (404 for others). */
    public WebSocketSettings withPath(String requestPath) {
        return new WebSocketSettings(Objects.requireNonNull(requestPath, "requestPath"), subprotocols, maxFirstMessageBytes);
    }

    /** These settings, with another bound on the first message. */
    public WebSocketSettings withMaxFirstMessageBytes(int bytes) {
        return new WebSocketSettings(path, subprotocols, bytes);
    }
}
