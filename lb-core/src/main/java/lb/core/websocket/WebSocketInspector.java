package lb.core.websocket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import lb.core.model.ClientFacts;
import lb.core.model.KeyExtractor;
import lb.core.model.PacketFraming;
import lb.core.model.Termination;
import lb.core.model.Verdict;

/**
 * A {@link KeyExtractor} for clients that speak their protocol over WebSocket (RFC 6455): it
 * answers the client's upgrade itself, unmasks the first frames for the extractor it wraps (for
 * MQTT, the CONNECT inspector), and routes as that one says. Stateless: one instance serves every
 * loop.
 *
 * <p>A WebSocket client sends its first message only after the server's {@code 101}, so the
 * balancer cannot choose a server before answering. It checks the request (see
 * {@link UpgradeRequest}; 400, 404, 426 or 431 if wrong), answers {@code 101} itself with the chosen
 * subprotocol and no extension (the verdicts' greeting), then reads the client's frames,
 * however the first message is split across frames and reads. The chosen server gets the
 * request again, with no extension offered and only the chosen subprotocol; its {@code 101} is
 * checked and dropped, then it gets the client's frames unchanged (after its answer, as from a
 * client: a server may not expect frames pipelined behind the request), and from then on bytes
 * go both ways unchanged. A bad frame is answered with a close frame (1002, 1003 for a text frame, 1009 for
 * a first message past the bound); a refusal by the wrapped extractor, and a refusal when no
 * server can take the client, go inside a binary frame (for MQTT, the CONNACK) followed by a
 * close frame.
 *
 * <p>Packet framing ({@link KeyExtractor#framing}) is not offered: the tunnel's bytes are
 * WebSocket frames, not the wrapped protocol's packets, so the balancer ends such tunnels by
 * closing them, without farewell packets.
 */
public final class WebSocketInspector implements KeyExtractor {
    /** Close code 1013: try again later (RFC 6455 section 11.7), for clients no server can take now. */
    private static final int TRY_AGAIN_LATER = 1013;

    private final KeyExtractor inner;
    private final WebSocketSettings settings;

    /** Reads the first message in the frames with {@code inner}, accepting upgrades as {@code settings} say. */
    public WebSocketInspector(KeyExtractor inner, WebSocketSettings settings) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** What upgrades are accepted. */
    public WebSocketSettings settings() {
        return settings;
    }

    @Override
    public Verdict inspect(ByteBuffer firstBytes) {
        return inspect(firstBytes, null);
    }

    @Override
    public Verdict inspect(ByteBuffer firstBytes, ClientFacts client) {
        UpgradeRequest request = UpgradeRequest.parse(firstBytes, settings);
        switch (request.status()) {
            case NEED_MORE -> {
                return Verdict.NEED_MORE;
            }
            case INVALID -> {
                return Verdict.reject("WebSocket upgrade refused (" + request.httpStatus() + "): " + request.problem(),
                        Handshake.refusal(request.httpStatus(), request.problem(), request.extraHeader()));
            }
            default -> { }
        }
        ByteBuffer greeting = Handshake.switching(request.key(), request.subprotocol());
        ClientFrames.Result frames = ClientFrames.read(frames(firstBytes, request), settings.maxFirstMessageBytes());
        switch (frames.status()) {
            case INVALID -> {
                return Verdict.reject("WebSocket frame refused (" + frames.closeCode() + "): " + frames.problem(),
                        Handshake.close(frames.closeCode(), frames.problem())).withGreeting(greeting);
            }
            case CLOSED -> {
                return Verdict.reject("WebSocket closed by the client before its first message",
                        Handshake.close(1000, "")).withGreeting(greeting);
            }
            default -> { }
        }
        if (frames.length() == 0) {
            return Verdict.NEED_MORE.withGreeting(greeting);
        }
        ByteBuffer message = ByteBuffer.wrap(frames.data(), 0, frames.length()).asReadOnlyBuffer();
        Verdict verdict = client == null ? inner.inspect(message) : inner.inspect(message, client);
        return switch (verdict.kind()) {
            case NEED_MORE -> frames.length() >= settings.maxFirstMessageBytes()
                    ? Verdict.reject("WebSocket first message longer than " + settings.maxFirstMessageBytes() + " bytes",
                            Handshake.close(ClientFrames.MESSAGE_TOO_BIG, "first message too big"))
                            .withGreeting(greeting)
                    : Verdict.NEED_MORE.withGreeting(greeting);
            case REJECT -> Verdict.reject(verdict.reason(), inFrames(verdict.reply(), ClientFrames.POLICY_VIOLATION,
                    "refused")).withGreeting(greeting);
            case ROUTE -> routed(verdict, request, firstBytes).withGreeting(greeting);
        };
    }

    /** The wrapped extractor's route, forwarding the request as the server should see it and checking its answer. */
    private static Verdict routed(Verdict verdict, UpgradeRequest request, ByteBuffer firstBytes) {
        ByteBuffer forwarded = ByteBuffer.allocate(firstBytes.remaining());
        request.replayTo(firstBytes, forwarded);
        int requestLength = forwarded.position();
        forwarded.put(frames(firstBytes, request)).flip();
        Verdict route = Verdict.route(verdict.key());
        if (verdict.clientTimeoutNs() != 0) {
            route = route.withClientTimeout(Duration.ofNanos(verdict.clientTimeoutNs()));
        }
        if (verdict.user() != null) {
            route = route.withUser(verdict.user());
        }
        return route.withForwarded(forwarded)
                .withServerHandshake(new UpgradeAnswer(request.key(), request.subprotocol(), requestLength));
    }

    private static ByteBuffer frames(ByteBuffer firstBytes, UpgradeRequest request) {
        return firstBytes.duplicate().position(firstBytes.position() + request.length());
    }

    /**
     * Before the upgrade is whole (and always for the per-source limits, which refuse before any
     * answer), a {@code 503}; after it, the wrapped extractor's answer in a binary frame, then a
     * close frame (1013, try again later).
     */
    @Override
    public ByteBuffer refusalReply(ByteBuffer firstBytes, Termination why) {
        String text = "no service: " + why.name().toLowerCase(java.util.Locale.ROOT);
        UpgradeRequest request = why == Termination.SOURCE_LIMITED || why == Termination.SOURCE_RATE_LIMITED
                ? null : UpgradeRequest.parse(firstBytes, settings);
        if (request == null || request.status() != UpgradeRequest.Status.UPGRADE) {
            return Handshake.refusal(503, text, null);
        }
        ClientFrames.Result frames = ClientFrames.read(frames(firstBytes, request), settings.maxFirstMessageBytes());
        ByteBuffer answer = frames.status() != ClientFrames.Status.DATA || frames.length() == 0 ? null
                : inner.refusalReply(ByteBuffer.wrap(frames.data(), 0, frames.length()).asReadOnlyBuffer(), why);
        return inFrames(answer, TRY_AGAIN_LATER, text);
    }

    /** {@code reply} (if any) in a binary frame, then a close frame. */
    private static ByteBuffer inFrames(ByteBuffer reply, int closeCode, String reason) {
        ByteBuffer close = Handshake.close(closeCode, reason);
        return reply == null ? close : Handshake.concat(Handshake.binary(reply), close);
    }

    /** None: the tunnel's bytes are frames, not the wrapped protocol's packets. */
    @Override
    public PacketFraming framing(ByteBuffer firstBytes) {
        return null;
    }
}
