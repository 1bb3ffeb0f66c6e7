package lb.mqtt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Writes test packets by hand: hex for the bytes a rule is about, helpers for the lengths
 * around them. Independent of the parser, so a test cannot share its mistakes.
 */
final class Packets {
    /** Variable header starts: protocol name and level. */
    static final String MQTT_311 = "0004 4d515454 04";
    static final String MQTT_5 = "0004 4d515454 05";
    static final String MQISDP_31 = "0006 4d5149736470 03";
    static final String KEEP_ALIVE_60 = "003c";
    /** A 5.0 property list with no properties. */
    static final String NO_PROPERTIES = "00";

    private Packets() {
    }

    /** Bytes from hex, ignoring spaces. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static String hexOf(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A CONNECT: fixed header 0x10 and the remaining length, then the body from hex parts. */
    static byte[] connect(String... bodyParts) {
        byte[] body = hex(String.join("", bodyParts));
        return concat(new byte[] {0x10}, vbi(body.length), body);
    }

    /** A UTF-8 string field (length prefix included) as hex. */
    static String str(String text) {
        return strHex(hexOf(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A string or binary field whose content is given as hex (for bytes that are not valid UTF-8). */
    static String strHex(String contentHex) {
        int length = hex(contentHex).length;
        return u16(length) + contentHex.replace(" ", "");
    }

    /** A 5.0 property list: its variable byte integer length, then the properties as hex. */
    static String properties(String... parts) {
        byte[] list = hex(String.join("", parts));
        return hexOf(vbi(list.length)) + hexOf(list);
    }

    static String u16(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("not a two-byte integer: " + value);
        }
        return String.format("%04x", value);
    }

    static String u32(long value) {
        return String.format("%08x", value);
    }

    /** The shortest variable byte integer for {@code value}, as 5.0 §1.5.5's encoding algorithm writes it. */
    static byte[] vbi(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int b = value % 128;
            value /= 128;
            out.write(value > 0 ? b | 0x80 : b);
        } while (value > 0);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A QoS 0 PUBLISH of {@code payload} to {@code topic}, for bytes that follow a CONNECT. */
    static byte[] publish(String topic, String payload) {
        byte[] body = concat(hex(str(topic)), payload.getBytes(StandardCharsets.UTF_8));
        return concat(new byte[] {0x30}, vbi(body.length), body);
    }
}
