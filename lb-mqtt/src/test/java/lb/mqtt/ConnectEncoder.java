package lb.mqtt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Writes a {@link ConnectSpec} as a CONNECT packet, the way a client would; test-side only. */
final class ConnectEncoder {
    private ConnectEncoder() {
    }

    /** The packet; 5.0 properties are written in an order {@code shuffle} picks, since any order is valid. */
    static byte[] encode(ConnectSpec spec, Random shuffle) {
        Out body = new Out();
        boolean v5 = spec.version() == MqttVersion.V5;
        body.string(spec.version().protocolName());
        body.write(spec.version().level());
        int flags = (spec.cleanStart() ? 0x02 : 0)
                | (spec.will() != null ? 0x04 | spec.will().qos() << 3 | (spec.will().retain() ? 0x20 : 0) : 0)
                | (spec.password() != null ? 0x40 : 0)
                | (spec.username() != null ? 0x80 : 0);
        body.write(flags);
        body.u16(spec.keepAlive());
        if (v5) {
            body.propertyList(connectProperties(spec.properties()), shuffle);
        }
        body.string(spec.clientId());
        if (spec.will() != null) {
            if (v5) {
                body.propertyList(willProperties(spec.will().properties()), shuffle);
            }
            body.string(spec.will().topic());
            body.binary(spec.will().payload());
        }
        if (spec.username() != null) {
            body.string(spec.username());
        }
        if (spec.password() != null) {
            body.binary(spec.password());
        }
        byte[] b = body.toByteArray();
        return Packets.concat(new byte[] {0x10}, Packets.vbi(b.length), b);
    }

    private static List<byte[]> connectProperties(ConnectSpec.Properties p) {
        List<byte[]> list = new ArrayList<>();
        if (p.sessionExpiryInterval() != null) {
            list.add(new Out().id(0x11).u32(p.sessionExpiryInterval()).toByteArray());
        }
        if (p.receiveMaximum() != null) {
            list.add(new Out().id(0x21).u16(p.receiveMaximum()).toByteArray());
        }
        if (p.maximumPacketSize() != null) {
            list.add(new Out().id(0x27).u32(p.maximumPacketSize()).toByteArray());
        }
        if (p.topicAliasMaximum() != null) {
            list.add(new Out().id(0x22).u16(p.topicAliasMaximum()).toByteArray());
        }
        if (p.requestResponseInformation() != null) {
            list.add(new Out().id(0x19).flag(p.requestResponseInformation()).toByteArray());
        }
        if (p.requestProblemInformation() != null) {
            list.add(new Out().id(0x17).flag(p.requestProblemInformation()).toByteArray());
        }
        userProperties(list, p.userProperties());
        if (p.authenticationMethod() != null) {
            list.add(new Out().id(0x15).string(p.authenticationMethod()).toByteArray());
        }
        if (p.authenticationData() != null) {
            list.add(new Out().id(0x16).binary(p.authenticationData()).toByteArray());
        }
        return list;
    }

    private static List<byte[]> willProperties(ConnectSpec.WillProperties p) {
        List<byte[]> list = new ArrayList<>();
        if (p.willDelayInterval() != null) {
            list.add(new Out().id(0x18).u32(p.willDelayInterval()).toByteArray());
        }
        if (p.payloadFormat() != null) {
            list.add(new Out().id(0x01).put(p.payloadFormat()).toByteArray());
        }
        if (p.messageExpiryInterval() != null) {
            list.add(new Out().id(0x02).u32(p.messageExpiryInterval()).toByteArray());
        }
        if (p.contentType() != null) {
            list.add(new Out().id(0x03).string(p.contentType()).toByteArray());
        }
        if (p.responseTopic() != null) {
            list.add(new Out().id(0x08).string(p.responseTopic()).toByteArray());
        }
        if (p.correlationData() != null) {
            list.add(new Out().id(0x09).binary(p.correlationData()).toByteArray());
        }
        userProperties(list, p.userProperties());
        return list;
    }

    private static void userProperties(List<byte[]> list, List<List<String>> pairs) {
        for (List<String> pair : pairs) {
            list.add(new Out().id(0x26).string(pair.get(0)).string(pair.get(1)).toByteArray());
        }
    }

    private static boolean isUserProperty(byte[] property) {
        return property[0] == 0x26;
    }

    private static final class Out extends ByteArrayOutputStream {
        Out id(int id) {
            write(id);
            return this;
        }

        Out flag(boolean on) {
            write(on ? 1 : 0);
            return this;
        }

        Out put(int b) {
            write(b);
            return this;
        }

        Out u16(int v) {
            write(v >>> 8);
            write(v & 0xFF);
            return this;
        }

        Out u32(long v) {
            u16((int) (v >>> 16));
            u16((int) (v & 0xFFFF));
            return this;
        }

        Out string(String s) {
            return binary(s.getBytes(StandardCharsets.UTF_8));
        }

        Out binary(byte[] b) {
            u16(b.length);
            writeBytes(b);
            return this;
        }

        void propertyList(List<byte[]> properties, Random shuffle) {
            List<byte[]> ordered = new ArrayList<>(properties);
            Collections.shuffle(ordered, shuffle);
            // User properties keep their order among themselves: it carries meaning [MQTT-3.1.3-10].
            List<byte[]> userProperties = properties.stream().filter(ConnectEncoder::isUserProperty).toList();
            int next = 0;
            for (int i = 0; i < ordered.size(); i++) {
                if (isUserProperty(ordered.get(i))) {
                    ordered.set(i, userProperties.get(next++));
                }
            }
            Out list = new Out();
            ordered.forEach(list::writeBytes);
            writeBytes(Packets.vbi(list.size()));
            writeBytes(list.toByteArray());
        }
    }
}
