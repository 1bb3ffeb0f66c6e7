package lb.examples.broker;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** A blocking MQTT client over a plain socket, writing exact bytes, for tests of the broker. */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5_000);
        socket.connect(address, 5_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    /** Connects and checks the CONNACK is a success. */
    static RawClient connected(InetSocketAddress address, int level, String clientId) throws IOException {
        RawClient client = new RawClient(address);
        client.send(w -> MqttEncoder.connect(w, level, utf8(clientId), 60, true));
        Packet connack = client.receive();
        if (connack.type() != PacketType.CONNACK || connack.body()[1] != 0) {
            throw new IOException("connect refused: " + connack);
        }
        return client;
    }

    void send(Consumer<PacketWriter> encoder) throws IOException {
        PacketWriter w = new PacketWriter();
        encoder.accept(w);
        write(w.toByteArray());
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void subscribe(int level, int packetId, int qos, String... filters) throws IOException {
        byte[][] encoded = new byte[filters.length][];
        for (int i = 0; i < filters.length; i++) {
            encoded[i] = utf8(filters[i]);
        }
        send(w -> MqttEncoder.subscribe(w, level, packetId, encoded, qos));
        Packet suback = receive();
        if (suback.type() != PacketType.SUBACK) {
            throw new IOException("expected SUBACK, got " + suback);
        }
    }

    void publish(int level, int qos, int packetId, String topic, String payload) throws IOException {
        byte[] bytes = utf8(payload);
        send(w -> MqttEncoder.publish(w, level, qos, packetId, utf8(topic), bytes, 0, bytes.length));
    }

    Packet receive() throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(first, body);
    }

    /** Returns true when nothing arrives within {@code millis}. */
    boolean isSilentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed");
            }
            return false;
        } catch (SocketTimeoutException expected) {
            return true;
        } finally {
            socket.setSoTimeout(5_000);
        }
    }

    /** True when the broker closed the connection (EOF or reset) within five seconds. */
    boolean isClosedByPeer() {
        try {
            InputStream raw = socket.getInputStream();
            while (true) {
                if (raw.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One packet as received: its first byte and body. */
    record Packet(int firstByte, byte[] body) {
        int type() {
            return PacketType.of(firstByte);
        }

        int qos() {
            return (firstByte >> 1) & 0x03;
        }

        /** The topic of a PUBLISH. */
        String topic() {
            int length = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
            return new String(body, 2, length, StandardCharsets.UTF_8);
        }

        /** The payload of a PUBLISH at the given protocol level. */
        String payload(int level) {
            int at = 2 + topic().getBytes(StandardCharsets.UTF_8).length + (qos() > 0 ? 2 : 0) + (level == 5 ? 1 : 0);
            return new String(body, at, body.length - at, StandardCharsets.UTF_8);
        }

        /** The packet id of a PUBLISH at QoS 1. */
        int publishPacketId() {
            int at = 2 + topic().getBytes(StandardCharsets.UTF_8).length;
            return ((body[at] & 0xFF) << 8) | (body[at + 1] & 0xFF);
        }

        @Override
        public String toString() {
            return "Packet[type=" + type() + ", length=" + body.length + "]";
        }
    }
}
