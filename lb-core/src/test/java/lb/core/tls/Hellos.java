package lb.core.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/** ClientHellos for parser tests: captured from the JDK's own client, or encoded field by field. */
final class Hellos {
    private Hellos() {
    }

    /**
     * The records a JDK client sends first: an SSLEngine in client mode wrapped once.
     * {@code serverName} null sends no SNI; an empty {@code protocols} sends no ALPN.
     */
    static byte[] fromJdk(String serverName, List<String> protocols, String... versions) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLEngine engine = serverName == null ? context.createSSLEngine() : context.createSSLEngine(serverName, 8883);
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            parameters.setApplicationProtocols(protocols.toArray(String[]::new));
            if (versions.length > 0) {
                parameters.setProtocols(versions);
            }
            engine.setSSLParameters(parameters);
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            return bytes(out.flip());
        } catch (GeneralSecurityException | SSLException e) {
            throw new AssertionError(e);
        }
    }

    /** The handshake bytes carried by {@code records}, headers stripped. */
    static byte[] handshakeStream(byte[] records) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int at = 0; at < records.length; ) {
            int length = (records[at + 3] & 0xFF) << 8 | records[at + 4] & 0xFF;
            stream.write(records, at + 5, length);
            at += 5 + length;
        }
        return stream.toByteArray();
    }

    /**
     * {@code handshake} cut into handshake records of the given fragment sizes, the last one
     * taking what is left (sizes past the end are ignored).
     */
    static byte[] inRecords(byte[] handshake, int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        for (int i = 0; at < handshake.length; i++) {
            int size = i < sizes.length ? Math.min(sizes[i], handshake.length - at) : handshake.length - at;
            out.write(22);
            out.write(3);
            out.write(1);
            out.write(size >>> 8);
            out.write(size & 0xFF);
            out.write(handshake, at, size);
            at += size;
        }
        return out.toByteArray();
    }

    /**
     * A ClientHello handshake message (header included) with the given fields; {@code serverName}
     * null and empty lists leave those extensions out. The host name is sent as given.
     */
    static byte[] encode(String serverName, List<String> protocols, List<Integer> versions, byte[] sessionId) {
        Writer extensions = new Writer();
        if (serverName != null) {
            byte[] name = serverName.getBytes(StandardCharsets.ISO_8859_1);
            extensions.u16(0).u16(name.length + 5).u16(name.length + 3).u8(0).u16(name.length).raw(name);
        }
        extensions.u16(0xDADA).u16(3).raw(new byte[] {7, 7, 7}); // unknown (GREASE) extension
        if (!protocols.isEmpty()) {
            Writer list = new Writer();
            for (String protocol : protocols) {
                byte[] name = protocol.getBytes(StandardCharsets.ISO_8859_1);
                list.u8(name.length).raw(name);
            }
            byte[] names = list.bytes();
            extensions.u16(16).u16(names.length + 2).u16(names.length).raw(names);
        }
        if (!versions.isEmpty()) {
            extensions.u16(43).u16(1 + 2 * versions.size()).u8(2 * versions.size());
            versions.forEach(extensions::u16);
        }
        byte[] ext = extensions.bytes();
        Writer body = new Writer().u16(0x0303).raw(new byte[32]).u8(sessionId.length).raw(sessionId)
                .u16(4).u16(0x1301).u16(0xC02F).u8(1).u8(0).u16(ext.length).raw(ext);
        byte[] b = body.bytes();
        return new Writer().u8(1).u8(b.length >>> 16).u16(b.length & 0xFFFF).raw(b).bytes();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer u16(int v) {
            out.write(v >>> 8);
            out.write(v & 0xFF);
            return this;
        }

        Writer raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
